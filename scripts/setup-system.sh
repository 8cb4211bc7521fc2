#!/usr/bin/env bash
# Installs the Debian packages ikidil needs, and only those that are missing,
# so `make book` / `make test` work on a fresh Debian 12 machine and are quick afterwards.
set -euo pipefail

packages=(
  default-jre-headless     # EPUBCheck (Java)
  poppler-utils            # pdftotext, pdffonts, pdfinfo, pdftoppm (tests, proofs)
  fonts-ebgaramond         # book face with full Turkish coverage
  fonts-linuxlibertine     # second face (Turkish coverage too)
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0   # WeasyPrint's text stack
  python3-venv
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "ikidil setup: missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
    exit 1
  fi
else SUDO=""; fi

echo "ikidil setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
