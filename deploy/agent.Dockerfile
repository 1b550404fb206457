# A node agent (Capture.Agent): runs jobs, samples them, checkpoints and restores them with CRIU 4.2 and caas-shim.
# It runs as root with the capabilities CRIU needs (docker-compose.yml grants them; see docs/operations.md).
# Built from the repository root: docker build -f deploy/agent.Dockerfile .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends cmake gcc make libc6-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S native -B native/build -DCMAKE_BUILD_TYPE=Release && cmake --build native/build -j2
RUN dotnet publish Capture/Capture.Agent/Capture.Agent.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
# iptables: CRIU locks TCP connections during a dump; util-linux: nsenter; procps, iproute2 for operators.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends iptables util-linux procps iproute2 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY scripts/install-criu.sh /tmp/install-criu.sh
# The same CRIU 4.2 in a private prefix as on a host (scripts/install-criu.sh), pinned by that script.
RUN CAAS_TOOLS_DIR=/opt/caas CAAS_CRIU_SKIP_CHECK=1 bash /tmp/install-criu.sh && rm /tmp/install-criu.sh
WORKDIR /app
COPY --from=build /app .
COPY --from=build /src/native/build/bin/ /opt/caas/bin/
ENV CAAS_SHIM=/opt/caas/bin/caas-shim \
    CAAS_CRIU=/opt/caas/criu/bin/criu \
    Caas__Agent__DataDirectory=/var/lib/caas/agent \
    Caas__Agent__Transfer__ListenUrl=http://0.0.0.0:7070 \
    Caas__Metrics__Port=9464
# 7070: signed image transfer to other agents.
EXPOSE 7070
# Metrics (Prometheus) on 127.0.0.1:9464 inside the container only: scrape with a sidecar in its network namespace.
ENTRYPOINT ["dotnet", "Capture.Agent.dll"]
