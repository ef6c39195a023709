# Production image: gunicorn serving Django; the same image runs the Celery
# worker, beat and the one-shot migrate step (see docker-compose.yml).
# Configuration comes from the environment at run time (see .env.example);
# nothing secret is baked into the image.
FROM python:3.11-slim

# gunicorn binds 0.0.0.0:$PORT and starts $WEB_CONCURRENCY workers; both can
# be overridden at run time.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.prod \
    PORT=8000 \
    WEB_CONCURRENCY=3

RUN groupadd --system rapport \
    && useradd --system --gid rapport --home-dir /app --no-create-home --shell /usr/sbin/nologin rapport

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# The code stays owned by root: the app user can read it but not change it.
COPY . .

# Static files are collected into the image (whitenoise serves them,
# compressed and with hashed names). Production settings refuse to load
# without a SECRET_KEY, so this step alone gets a throwaway one; it never
# reaches the image's environment or any running container.
RUN SECRET_KEY=build-only-collectstatic-key-x7Qm2v9KpL4tRz8wNc3HbY6jFd5sGa0e \
    python manage.py collectstatic --noinput

# Bytecode is compiled now because the app user cannot write it later.
# var/ is the only writable place: uploads (a volume in docker-compose.yml)
# and beat's schedule file.
RUN python -m compileall -q . \
    && mkdir -p var/media \
    && chown -R rapport:rapport var

USER rapport

EXPOSE 8000

# The probe must pass Django's host check and the HTTPS redirect like a real
# request through the load balancer, so it sends the first allowed host name
# and X-Forwarded-Proto. Any non-2xx answer or no answer makes it fail.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; hosts = [h.strip().lstrip('.') for h in os.environ.get('ALLOWED_HOSTS', '').split(',') if h.strip() and '*' not in h]; request = urllib.request.Request('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', headers={'Host': (hosts or ['localhost'])[0], 'X-Forwarded-Proto': 'https'}); urllib.request.urlopen(request, timeout=4)"]

CMD ["gunicorn", "config.wsgi:application", "--access-logfile", "-", "--worker-tmp-dir", "/dev/shm", "--max-requests", "1000", "--max-requests-jitter", "100"]
