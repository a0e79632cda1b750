"""Cognito user pools (cognito-idp): the API operations and the rules behind them."""
