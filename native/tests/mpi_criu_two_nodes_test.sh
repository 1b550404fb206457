# A real Open MPI job (mpirun, TCP transport) with 2 ranks on 2 "nodes", each node's share (mpirun
# with rank 0; orted with rank 1) a job of its own in the node's network namespace with the node's
# address on a bridge (198.18.20.0/24). Open MPI starts the remote share through its rsh agent, which
# here asks the node's launcher (as a node agent would) instead of ssh. Both shares are locked,
# dumped, their namespaces deleted, fresh locked namespaces with the same addresses made, both
# restored (into new state directories) and unlocked: the job finishes with the right sum.
source "$(dirname "$0")/test_lib.sh"
require_criu
: "${MPI_RING:?}"
command -v mpirun >/dev/null || fail "no mpirun: install openmpi-bin"

source "$(dirname "$0")/rank_network_lib.sh"
subnet="198.18.20"
create_fabric
tag="$FABRIC_TAG"

# Open MPI's session directories and everything else it writes go below the test's directory.
export TMPDIR="$WORK/tmp" OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$TMPDIR" "$WORK/spool"
address0="$subnet.20" address1="$subnet.21"
fabric_namespace "cm$tag-a0" "$address0"
fabric_namespace "cm$tag-a1" "$address1"

# The rsh agent: "ssh HOST COMMAND" becomes a request to HOST's launcher; it returns once the command runs.
cat >"$WORK/rsh-agent" <<AGENT
#!/bin/bash
host="\$1"; shift
case "\$host" in $address0) node=0;; $address1) node=1;; *) echo "rsh-agent: unknown host \$host" >&2; exit 1;; esac
request="$WORK/spool/\$node-\$\$"
printf '%s' "\$*" >"\$request.tmp" && mv "\$request.tmp" "\$request.cmd"
for _ in \$(seq 200); do [ -e "\$request.started" ] && exit 0; sleep 0.05; done
exit 1
AGENT
chmod +x "$WORK/rsh-agent"
# The launcher of node 1, outside every job: starts requested commands with caas-shim in the node's namespace.
(
  while true; do
    for request in "$WORK"/spool/1-*.cmd; do
      [ -e "$request" ] || continue
      nsenter --net="/run/netns/cm$tag-a1" "$SHIM" launch --state-dir "$WORK/a1" -- /bin/sh -c "$(cat "$request")" \
        >>"$WORK/launcher.log" 2>&1
      rm -f "$request"
      touch "${request%.cmd}.started"
    done
    sleep 0.05
  done
) &
started $!

rounds=60
nsenter --net="/run/netns/cm$tag-a0" "$SHIM" launch --state-dir "$WORK/a0" -- \
  "$(command -v mpirun)" --allow-run-as-root -np 2 --host "$address0,$address1" \
  --mca plm_rsh_agent "$WORK/rsh-agent" --mca btl tcp,self --mca btl_tcp_if_include eth0 --mca oob_tcp_if_include eth0 \
  "$MPI_RING" "$rounds"
started_job "$WORK/a0"
round_at_least() {
  [ "$(rounds_seen "$WORK/a0/stdout.log" | tail -n 1)" -ge "$1" ] 2>/dev/null
}
wait_until 60 round_at_least 5 || fail "the MPI job did not get going: $(cat "$WORK/a0/stdout.log" "$WORK/a0/stderr.log" "$WORK/launcher.log" 2>/dev/null | tail -n 20)"
started_job "$WORK/a1"

for node in 0 1; do lock "cm$tag-a$node"; done
for node in 0 1; do
  nsenter --net="/run/netns/cm$tag-a$node" "$SHIM" dump --state-dir "$WORK/a$node" --images "$WORK/img$node" --criu "$CRIU" >/dev/null \
    || fail "dump of node $node's share failed"
done
at_dump="$(rounds_seen "$WORK/a0/stdout.log" | tail -n 1)"
[ "$at_dump" -lt "$rounds" ] || fail "the job finished before the checkpoint"
for node in 0 1; do delete_namespace "cm$tag-a$node"; done

fabric_namespace "cm$tag-b0" "$address0" locked
fabric_namespace "cm$tag-b1" "$address1" locked
for node in 0 1; do
  nsenter --net="/run/netns/cm$tag-b$node" "$SHIM" restore --state-dir "$WORK/b$node" --images "$WORK/img$node" --criu "$CRIU" \
    || fail "restore of node $node's share failed"
  started_job "$WORK/b$node"
done
for node in 0 1; do unlock "cm$tag-b$node"; done

for node in 0 1; do
  wait_until 60 test -e "$WORK/b$node/exit" || fail "node $node's share did not finish after the restore: $(tail -n 3 "$WORK/b0/stdout.log")"
  expect_eq "$(cat "$WORK/b$node/exit")" "exited 0" "node $node's exit after the restore ($(tail -n 3 "$WORK/b$node/stderr.log" 2>/dev/null))"
done
expect_eq "$(tail -n 1 "$WORK/b0/stdout.log")" "rank 0 done rounds $rounds value $((rounds * 3))" "the MPI job's result"
first_restored="$(rounds_seen "$WORK/b0/stdout.log" | head -n 1)"
[ "$first_restored" -ge "$at_dump" ] && [ "$first_restored" -le $((at_dump + 1)) ] \
  || fail "the restored job went on from round $first_restored, not from the checkpoint's round $at_dump"
echo "Open MPI job on two nodes across a coordinated checkpoint and a restore in fresh namespaces: ok"
