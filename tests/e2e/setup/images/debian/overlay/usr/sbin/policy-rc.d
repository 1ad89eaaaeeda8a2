#!/bin/sh
# nextstack-e2e base image: packages must not start services while an image is built.
exit 101
