# An Orleans silo of the cluster (Caas:Roles=silo): job and node grains, the bus consumers that feed them, the
# recovery sagas. Built from the repository root: docker build -f deploy/silo.Dockerfile .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish Web/Web.Standalone/Web.Standalone.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# Not root: a silo needs no privilege. Its data directory holds only the host's local files.
RUN useradd --system --home /var/lib/caas caas && mkdir -p /var/lib/caas && chown caas /var/lib/caas
USER caas
ENV Caas__Mode=Cluster \
    Caas__Roles=silo \
    Caas__DataDirectory=/var/lib/caas \
    Caas__Url=http://0.0.0.0:8080 \
    Caas__Metrics__Port=9464
# 8080: health and metrics; 11111: silo-to-silo; 30000: gateway for web hosts.
EXPOSE 8080 11111 30000
HEALTHCHECK --interval=10s --timeout=5s CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/live HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '200 OK' <&3"]
# Metrics (Prometheus) on 127.0.0.1:9464 inside the container only: scrape with a sidecar in its network namespace.
ENTRYPOINT ["dotnet", "caas-standalone.dll"]
