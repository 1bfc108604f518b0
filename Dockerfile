# The wijkgram app image, used by docker-compose.yml.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-15 osm2pgsql \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY directory ./directory
COPY importers ./importers
COPY geo ./geo
COPY web ./web
COPY cli ./cli
RUN pip install --no-cache-dir .

RUN useradd --system --create-home wijkgram
USER wijkgram
EXPOSE 8000
CMD ["wijkgram", "serve"]
