-- Shared by every scenario script: wrk's `done` hook prints one machine-readable line for bench/run.py.
-- Latencies are in microseconds; "status" counts responses that were not 2xx/3xx.
function bench_report(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end

-- Every request is a Cognito call: POST / with X-Amz-Target, and a SigV4-shaped Authorization header
-- (only its credential scope is read, for the region; no system here checks the signature).
function bench_setup_request(target)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
  wrk.headers["X-Amz-Target"] = "AWSCognitoIdentityProviderService." .. target
  wrk.headers["Authorization"] =
    "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/cognito-idp/aws4_request, " ..
    "SignedHeaders=host;x-amz-target, Signature=0000"
end
