#!/usr/bin/env bash
# Debian packages the tests use (run as root). The station itself needs none of them.
#   socat          pseudo-terminal pairs: the simulated head on a real serial device
#   tesseract-ocr  reads struck text back in the font legibility tests (with the Spanish,
#                  Portuguese and French models: English alone drops every accent)
#   dmtx-utils     dmtxread decodes struck Data Matrix symbols
#   chromium       the technician's page in a real browser (driven by playwright-core)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends socat tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-por tesseract-ocr-fra dmtx-utils chromium fonts-dejavu-core >/dev/null
