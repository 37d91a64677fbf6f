FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -e . \
 && DJANGO_SETTINGS_MODULE=config.settings.local DJANGO_SECRET_KEY=build python manage.py collectstatic --noinput -v0
RUN useradd --system --home /app dandang && mkdir -p /app/var && chown -R dandang /app/var
USER dandang
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
