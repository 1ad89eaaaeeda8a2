#!/bin/sh
# Entry point of nextstack-e2e/dockerd: forwards the e2e port range to this
# container's loopback, then runs dockerd (API on the unix socket and on
# tcp :2375, which the outer engine publishes on the host's 127.0.0.1 only).
#
# NEXTSTACK_E2E_PORTS=FIRST-LAST: the outer engine publishes these ports on the
# host's 127.0.0.1 to the same ports of this container's eth0. A stack on this
# engine publishes on 127.0.0.1 (dev's database) or 0.0.0.0 (the proxy) *here*;
# the DNAT below sends what arrives on eth0 for the range to 127.0.0.1, where
# dockerd's docker-proxy listens for either, so host 127.0.0.1:P reaches the
# stack's 127.0.0.1:P or 0.0.0.0:P unchanged (route_localnet lets eth0 traffic
# be routed to loopback; it is set by `docker run --sysctl`).
set -eu
if [ -n "${NEXTSTACK_E2E_PORTS:-}" ]; then
  range=$(echo "$NEXTSTACK_E2E_PORTS" | tr - :)
  iptables -t nat -C PREROUTING -i eth0 -p tcp --dport "$range" -j DNAT --to-destination 127.0.0.1 2>/dev/null \
    || iptables -t nat -I PREROUTING -i eth0 -p tcp --dport "$range" -j DNAT --to-destination 127.0.0.1
fi
exec dockerd -H unix:///var/run/docker.sock -H tcp://0.0.0.0:2375 --tls=false "$@"
