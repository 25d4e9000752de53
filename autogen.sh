#!/bin/sh
# Regenerates configure and the Makefile templates (autopoint brings gettext's po/ machinery).
set -e
cd "$(dirname "$0")"
autoreconf --force --install --verbose
