#!/usr/bin/env bash
# LeNet Studio: build the Debian package lenet-studio_<version>_<arch>.deb (CPack DEB; what goes
# where: packaging/CMakeLists.txt) and check it with lintian.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/package.sh [--build-dir DIR] [--out DIR] [--no-lintian]

Builds lenet-studio_<version>_<arch>.deb with CPack (the version is the one in CMakeLists.txt;
the dependencies are computed from the binaries by dpkg-shlibdeps) and runs lintian on it.

Options:
  --build-dir DIR  package this configured build tree (e.g. scripts/test.sh's build-test/):
                   it is set to the /usr prefix with the docs on, built, then packaged.
                   Default: build-package/, configured here (Release, no tests, no benchmarks).
  --out DIR        where the .deb goes (default: the repository root)
  --no-lintian     do not run lintian
  -h, --help       print this help

Environment:
  LENET_ARCH       value for -march= of a new build-package/ (default empty = portable x86-64)

Then: sudo apt-get install ./lenet-studio_<version>_<arch>.deb; remove it with
sudo apt-get remove lenet-studio.
EOF
}

say() { printf '==> %s\n' "$*"; }
die() { printf 'package.sh: error: %s\n' "$*" >&2; exit 1; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=
out_dir=$REPO
lintian=1
while (($#)); do
  case "$1" in
    --build-dir) (($# >= 2)) || die "--build-dir needs a folder"; build_dir=$2; shift ;;
    --out)       (($# >= 2)) || die "--out needs a folder"; out_dir=$2; shift ;;
    --no-lintian) lintian=0 ;;
    -h|--help)   usage; exit 0 ;;
    *)           usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done

for tool in cmake cpack dpkg-shlibdeps file; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "$tool not found (scripts/setup.sh --test-tools installs what packaging needs)"
done

# cache_value <dir> <variable>: the variable's value in the build's CMakeCache.txt
cache_value() {
  sed -n "s/^$2:[A-Z]*=//p" "$1/CMakeCache.txt"
}

if [[ -n $build_dir ]]; then
  [[ -f $build_dir/CMakeCache.txt ]] ||
    die "$build_dir is not a configured build (no CMakeCache.txt)"
  build_dir=$(cd "$build_dir" && pwd)
  [[ $(cache_value "$build_dir" LENET_BUILD_UI) == ON ]] ||
    die "$build_dir is built without the studio (LENET_BUILD_UI=OFF): nothing to package"
  if [[ -n $(cache_value "$build_dir" LENET_SANITIZE) ||
        $(cache_value "$build_dir" LENET_BUILD_FUZZERS) == ON ]]; then
    die "$build_dir is an instrumented build (sanitizers or fuzzers): package a plain one"
  fi
  say "packaging the build in $build_dir (install prefix /usr, docs on)"
  cmake -S "$REPO" -B "$build_dir" -DCMAKE_INSTALL_PREFIX=/usr -DLENET_BUILD_DOCS=ON >/dev/null
else
  build_dir=$REPO/build-package
  gen=()
  [[ -f $build_dir/CMakeCache.txt ]] || gen=(-G Ninja)
  say "configuring $build_dir (Release, no tests, install prefix /usr)"
  cmake -S "$REPO" -B "$build_dir" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
    "-DLENET_ARCH=${LENET_ARCH:-}" -DLENET_BUILD_UI=ON -DLENET_BUILD_TESTS=OFF \
    -DLENET_BUILD_BENCH=OFF -DLENET_BUILD_DOCS=ON -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
fi
arch=$(cache_value "$build_dir" LENET_ARCH)
[[ -z $arch ]] || say "warning: this build uses -march=$arch: the package runs only on such CPUs"
type=$(cache_value "$build_dir" CMAKE_BUILD_TYPE)
[[ $type == Release ]] || say "warning: packaging a $type build"

say "building $build_dir (-j$(nproc))"
cmake --build "$build_dir" -j"$(nproc)"

staging=$build_dir/package-deb
rm -rf -- "$staging"
say "cpack -G DEB"
(cd "$build_dir" && cpack -G DEB -B "$staging" >/dev/null) || die "cpack failed"
debs=("$staging"/lenet-studio_*.deb)
[[ ${#debs[@]} == 1 && -f ${debs[0]} ]] ||
  die "cpack did not write one lenet-studio_*.deb in $staging"
mkdir -p -- "$out_dir"
deb=$out_dir/${debs[0]##*/}
mv -f -- "${debs[0]}" "$deb"
rm -rf -- "$staging"
say "wrote $deb"
dpkg-deb --field "$deb" Package Version Architecture Depends

if ((lintian)); then
  command -v lintian >/dev/null 2>&1 ||
    die "lintian not found (scripts/setup.sh --test-tools installs it; --no-lintian skips it)"
  say "lintian $deb"
  # Errors fail; warnings and notes are printed for the record.
  lintian --fail-on error --display-info --tag-display-limit 0 "$deb" ||
    die "lintian reports errors in $deb"
  say "lintian: no errors"
fi
