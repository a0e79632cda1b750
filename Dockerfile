# The Cognito emulator with the demo world (fixtures/signin-steps.yaml):
#
#   docker build -t cognito-emulator .
#   docker run --rm -p 9229:9229 -v cognito-data:/data cognito-emulator
#
# Then http://127.0.0.1:9229 is the Cognito endpoint and http://127.0.0.1:9229/_emulator/ the console.
# Reached by another name (http://cognito:9229 from another container), name it, or it is refused (DNS rebinding):
#   docker run --rm -p 9229:9229 -e COGNITO_EMULATOR_ALLOWED_HOSTS=cognito cognito-emulator
# Another start command replaces the default one, e.g. an empty world:
#   docker run --rm -p 9229:9229 cognito-emulator serve --host 0.0.0.0
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY emulator ./emulator
RUN pip install . && rm -rf /app/emulator /app/build

# The demo world and the Lambda handlers it names (paths in the fixture are relative to it).
COPY fixtures ./fixtures

# A non-root user owns the database volume.
RUN useradd --system --uid 10001 --user-group --home-dir /data --create-home cognito
USER cognito
WORKDIR /data
VOLUME ["/data"]

# Settings come from COGNITO_EMULATOR_* variables (docker run -e ...) or flags after the image name.
ENV COGNITO_EMULATOR_DATABASE=sqlite:////data/emulator.db \
    COGNITO_EMULATOR_PORT=9229
EXPOSE 9229

HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('COGNITO_EMULATOR_PORT', '9229') + '/_emulator/health', timeout=2)"]

ENTRYPOINT ["cognito-emulator"]
CMD ["serve", "--host", "0.0.0.0", "--fixtures", "/app/fixtures/signin-steps.yaml"]
