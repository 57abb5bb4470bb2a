#!/usr/bin/env bash
# System packages salespulse needs beyond Python: a CJK font (Chinese in charts and PDFs),
# HarfBuzz's subsetter (fast PDF font embedding), poppler-utils (PDF checks in tests) and the
# PostgreSQL server (tests/pipelines/test_dagster_postgres.py runs Dagster's storage on a temporary one;
# the cluster is made by the test with initdb/pg_ctl, the package's own service is not used)
# and a Java 17 runtime (Spark, which the dbt project's `spark` target runs in local mode).
# Installs them with apt when they are missing and apt is usable; otherwise says what to install.
set -euo pipefail

packages=()
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    packages+=(fonts-wqy-microhei fontconfig)
fi
if ! ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset; then
    packages+=(libharfbuzz-subset0)
fi
if ! command -v pdftotext >/dev/null 2>&1; then
    packages+=(poppler-utils)
fi
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && ! command -v initdb >/dev/null 2>&1; then
    packages+=(postgresql)
fi
if ! java -version 2>&1 | grep -q -E 'version "(1[7-9]|2[0-9])'; then
    packages+=(openjdk-17-jre-headless)
fi
[ ${#packages[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo -n"
    if [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; then
        echo "installing system packages: ${packages[*]}"
        export DEBIAN_FRONTEND=noninteractive
        if $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null 2>&1 \
            || { $sudo apt-get update -qq >/dev/null && \
                 $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; }; then
            command -v fc-cache >/dev/null 2>&1 && fc-cache -f >/dev/null 2>&1 || true
            exit 0
        fi
    fi
fi
echo "salespulse needs these system packages (Debian/Ubuntu names): ${packages[*]}" >&2
echo "install them with: sudo apt-get install ${packages[*]}" >&2
echo "(other systems: a CJK font such as WenQuanYi Micro Hei or Noto Sans CJK, HarfBuzz with" >&2
echo " libharfbuzz-subset, poppler's pdftotext, a PostgreSQL server with initdb and pg_ctl," >&2
echo " and a Java 17 or newer runtime for Spark)" >&2
exit 0
