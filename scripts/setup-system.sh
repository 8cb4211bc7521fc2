#!/usr/bin/env bash
# Installs the Debian packages ikidil needs, and only those that are missing,
# so `make book` / `make test` work on a fresh Debian 12 machine and are quick afterwards.
set -euo pipefail

packages=(
  default-jre-headless     # EPUBCheck (Java)
  chromium                 # DAISY Ace runs its accessibility rules in it (via Puppeteer)
  poppler-utils            # pdftotext, pdffonts, pdfinfo, pdftoppm (tests, proofs)
  libgs-common             # Ghostscript's CMYK (SWOP) ICC profile: the print PDF's PDF/X-4 output intent
  fonts-ebgaramond         # book face with full Turkish coverage
  fonts-linuxlibertine     # second face (Turkish coverage too)
  fonts-dejavu-core        # code face (DejaVu Sans Mono) and fallback for symbols
  fonts-symbola            # fallback for emoji and symbols no book face has
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0   # WeasyPrint's text stack
  python3-venv
)

# DAISY Ace (npm ci, see Makefile) needs Node.js and npm: Debian's nodejs + npm unless a
# newer Node.js (e.g. NodeSource, which bundles npm) is already installed.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
if command -v node >/dev/null && [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "ikidil setup: WARNING: Node.js $(node --version) is older than DAISY Ace 1.4 declares (>= 20);" \
       "if Ace fails, 'ikidil check --outputs' stops with exit 2 (install Node.js 20, e.g. from NodeSource)" >&2
fi

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
