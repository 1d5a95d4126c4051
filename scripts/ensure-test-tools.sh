#!/usr/bin/env bash
# The tests open real PDFs with qpdf and pdftotext (Debian's qpdf and poppler-utils) and drive
# Debian's chromium; browsers are never downloaded. Installs what is missing when it can (root with
# apt), otherwise says exactly what to install. Runs before `npm test` (npm's pretest).
set -euo pipefail
missing=()
command -v qpdf >/dev/null 2>&1 || missing+=(qpdf)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing ${missing[*]} (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "The tests need these Debian packages: ${missing[*]}"
  echo "Install them with: sudo apt-get install -y ${missing[*]}"
  exit 1
fi
