#!/usr/bin/env bash
# Debian packages the tests use (run as root). The station itself needs none of them.
#   socat          pseudo-terminal pairs: the simulated head on a real serial device
#   tesseract-ocr  reads struck text back in the font legibility test and sweep, with the model
#                  of each line's language (English alone drops every accent): Spanish,
#                  Portuguese, French, German, Italian, Dutch, Czech, Slovak, Polish,
#                  Hungarian, Turkish
#   dmtx-utils     dmtxread decodes struck Data Matrix symbols
#   chromium       the technician's page in a real browser (driven by playwright-core)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends socat tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-por tesseract-ocr-fra tesseract-ocr-deu tesseract-ocr-ita tesseract-ocr-nld tesseract-ocr-ces tesseract-ocr-slk tesseract-ocr-pol tesseract-ocr-hun tesseract-ocr-tur dmtx-utils chromium fonts-dejavu-core >/dev/null
