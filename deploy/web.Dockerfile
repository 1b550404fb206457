# The web host of the cluster (Caas:Roles=web): portal, HTTP API, read models and alerting; it reaches the grains as
# an Orleans client through the silos' gateways. Built from the repository root: docker build -f deploy/web.Dockerfile .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish Web/Web.Standalone/Web.Standalone.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# Not root. Users, tokens and the webhook outbox live under the data directory: mount a volume there.
RUN useradd --system --home /var/lib/caas caas && mkdir -p /var/lib/caas && chown caas /var/lib/caas
USER caas
ENV Caas__Mode=Cluster \
    Caas__Roles=web \
    Caas__DataDirectory=/var/lib/caas \
    Caas__Url=http://0.0.0.0:8080 \
    Caas__Metrics__Port=9464
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/live HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '200 OK' <&3"]
# Metrics (Prometheus) on 127.0.0.1:9464 inside the container only: scrape with a sidecar in its network namespace.
ENTRYPOINT ["dotnet", "caas-standalone.dll"]
