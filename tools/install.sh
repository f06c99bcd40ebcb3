#!/usr/bin/env bash
# `make install`: the static library, the headers and a pkg-config file under PREFIX.
#   bash tools/install.sh PREFIX LIBRARY CFLAGS LDFLAGS LDLIBS   (the last three from the Makefile)
# Layout:
#   PREFIX/lib/libflowjet.a
#   PREFIX/lib/pkgconfig/flowjet.pc
#   PREFIX/include/flowjet/jet_generator.h                  the embedding API (standard headers only)
#   PREFIX/include/flowjet/{engine,data,flows,metrics,tools/common}/...  every library header, for deeper use
#   PREFIX/share/flowjet/fpnd/                              FPND's resources (metrics/resources/fpnd)
# Each file is written under a temporary name and renamed into place; the header tree and the
# resource folder are staged whole and swapped in, so a rerun gives the same tree and leaves no
# stale file behind.
set -euo pipefail

if [ $# -ne 5 ]; then
  echo "usage: install.sh PREFIX LIBRARY CFLAGS LDFLAGS LDLIBS (run it through 'make install PREFIX=...')" >&2
  exit 2
fi
prefix=$1 library=$2 cflags=$3 ldflags=$4 ldlibs=$5
version=${FLOWJET_VERSION:-0.1.0}
if [ ! -f "$library" ]; then
  echo "install.sh: library '$library' not found; build it with 'make'" >&2
  exit 1
fi
library=$(cd "$(dirname "$library")" && pwd)/$(basename "$library")
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
cd "$(dirname "$0")/.."  # the headers are found from the repository root
mkdir -p "$prefix/lib/pkgconfig" "$prefix/include" "$prefix/share/flowjet"

stage=$(mktemp -d "$prefix/include/.flowjet-stage.XXXXXX")
old="$stage.old"
fpnd_stage=$(mktemp -d "$prefix/share/flowjet/.fpnd-stage.XXXXXX")
fpnd_old="$fpnd_stage.old"
trap 'rm -rf "$stage" "$old" "$fpnd_stage" "$fpnd_old"; rm -f "$prefix/lib/.libflowjet.a.$$" "$prefix/lib/pkgconfig/.flowjet.pc.$$"' EXIT

# Headers: the library tree as it is, plus the embedding API at the top.
find engine data flows metrics tools/common -name '*.h' -print0 | sort -z | xargs -0 cp --parents -t "$stage"
cp flows/api/jet_generator.h "$stage/jet_generator.h"
chmod -R u=rwX,go=rX "$stage"

# FPND's network and statistics with their licence and sums; programs find them from PREFIX/bin,
# other embedders through pkg-config's fpnd_dir variable (docs/embedding.md).
cp metrics/resources/fpnd/* "$fpnd_stage/"
chmod -R u=rwX,go=rX "$fpnd_stage"

install -m 644 "$library" "$prefix/lib/.libflowjet.a.$$"
mv -f "$prefix/lib/.libflowjet.a.$$" "$prefix/lib/libflowjet.a"

# The archive's own dependencies go into Libs (not Libs.private): a static library is all there is.
cat > "$prefix/lib/pkgconfig/.flowjet.pc.$$" <<PC
prefix=$prefix
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include
fpnd_dir=\${prefix}/share/flowjet/fpnd

Name: flowjet
Description: Normalising flows for particle jets: autodiff engine, coupling flows, JetNet I/O and metrics
Version: $version
Cflags: -I\${includedir} -I\${includedir}/flowjet $cflags
Libs: $ldflags -L\${libdir} -lflowjet $ldlibs
PC
chmod 644 "$prefix/lib/pkgconfig/.flowjet.pc.$$"
mv -f "$prefix/lib/pkgconfig/.flowjet.pc.$$" "$prefix/lib/pkgconfig/flowjet.pc"

if [ -e "$prefix/include/flowjet" ]; then mv "$prefix/include/flowjet" "$old"; fi
mv "$stage" "$prefix/include/flowjet"
if [ -e "$prefix/share/flowjet/fpnd" ]; then mv "$prefix/share/flowjet/fpnd" "$fpnd_old"; fi
mv "$fpnd_stage" "$prefix/share/flowjet/fpnd"
echo "installed flowjet $version in $prefix (pkg-config: PKG_CONFIG_PATH=$prefix/lib/pkgconfig)"
