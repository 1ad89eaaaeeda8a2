#!/bin/sh
# Lets a GitHub Actions job reach a Docker engine at DOCKER_HOST=ssh://user@host: the Docker provider and the docker
# CLI (smoke test, image prune) run the system's ssh, which checks the host key against known_hosts and takes the
# key from an ssh-agent. Writes the host's known_hosts line(s), starts an agent holding the key, and hands its
# socket to the job's later steps (GITHUB_ENV). The agent ends with the job.
#
# Environment: SSH_KEY (private key, from a secret), SSH_KNOWN_HOSTS (the host's `ssh-keyscan` lines, taken on a
# trusted machine: a repository variable, not a secret).
set -eu
: "${SSH_KEY:?SSH_KEY is empty: set the secret holding the private key for DOCKER_HOST}"
: "${SSH_KNOWN_HOSTS:?SSH_KNOWN_HOSTS is empty: set the variable holding the host key line(s) of DOCKER_HOST}"
: "${GITHUB_ENV:?GITHUB_ENV is not set: this script is for GitHub Actions}"
umask 077
mkdir -p "$HOME/.ssh"
printf '%s\n' "$SSH_KNOWN_HOSTS" >> "$HOME/.ssh/known_hosts"
eval "$(ssh-agent -s)" > /dev/null
printf '%s\n' "$SSH_KEY" | ssh-add - 2> /dev/null
echo "SSH_AUTH_SOCK=$SSH_AUTH_SOCK" >> "$GITHUB_ENV"
echo "SSH_AGENT_PID=$SSH_AGENT_PID" >> "$GITHUB_ENV"
echo "ssh-agent ready for DOCKER_HOST=${DOCKER_HOST:-<unset>}"
