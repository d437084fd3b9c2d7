#!/usr/bin/env bash
# Debian packages the tests use. The station itself needs none of them. Run it as root, or as
# a user who may sudo (it asks sudo itself then): `bash scripts/install-system-deps.sh`.
#   socat          pseudo-terminal pairs: the simulated head on a real serial device
#   tesseract-ocr  reads struck text back in the font legibility test and sweep, with the model
#                  of each line's language (English alone drops every accent): Spanish,
#                  Portuguese, French, German, Italian, Dutch, Czech, Slovak, Polish,
#                  Hungarian, Turkish
#   dmtx-utils     dmtxread decodes struck Data Matrix symbols
#   chromium       the technician's page in a real browser (driven by playwright-core)
#   postgresql     the journal tests on the PostgreSQL registry (scripts/start-test-postgres.sh
#                  starts a cluster on loopback; the station needs it only as a registry)
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then exec sudo bash "$0" "$@"; fi
  echo "install-system-deps.sh: apt-get needs root: run it as root (no sudo on this machine)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends socat tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-por tesseract-ocr-fra tesseract-ocr-deu tesseract-ocr-ita tesseract-ocr-nld tesseract-ocr-ces tesseract-ocr-slk tesseract-ocr-pol tesseract-ocr-hun tesseract-ocr-tur dmtx-utils chromium fonts-dejavu-core postgresql >/dev/null
