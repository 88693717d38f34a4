FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
WORKDIR /app
RUN pip install --no-cache-dir uv==0.13.9
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
# No secret at build time: a throwaway key just for collectstatic (never used to sign).
# axe-core is for the browser tests only: it is not served.
RUN DEBUG=false SECRET_KEY=build-only-not-a-secret CELERY_BROKER_DIR=/tmp/broker \
    python manage.py collectstatic --noinput --ignore 'axe-core-*'
RUN useradd --system --uid 1000 sprintback && chown -R sprintback /app
USER sprintback
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--config", "config/gunicorn.py"]
