# The production-like image: gunicorn serves the web tier; the same image runs the Celery
# worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings that load; the real secret comes from the environment at run time.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput
RUN useradd --create-home ordo && mkdir -p /app/var && chown ordo /app/var
USER ordo
EXPOSE 8000
# config/gunicorn.py: bind, workers, access log, and persistent database connections
# (DJANGO_CONN_MAX_AGE=60 unless the environment says otherwise).
CMD ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"]
