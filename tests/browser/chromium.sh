#!/usr/bin/env bash
# Headless Chromium and its ChromeDriver for the browser tests (tests/browser/):
#   bash tests/browser/chromium.sh     # installs Debian's chromium and chromium-driver when missing
# Prints the two paths, browser then driver. Needs root and apt-get where they are missing; exits
# with status 2 and the reason where they are missing and cannot be installed.
set -euo pipefail
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "no chromium or chromedriver, and not root to install them" >&2; exit 2; }
    command -v apt-get >/dev/null || { echo "no chromium or chromedriver, and no apt-get" >&2; exit 2; }
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium chromium-driver; } \
        >/dev/null || { echo "apt-get could not install chromium and chromium-driver" >&2; exit 2; }
fi
command -v chromium
command -v chromedriver
