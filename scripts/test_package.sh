#!/usr/bin/env bash
# LeNet Studio: the Debian package, end to end (scripts/test.sh's package stage).
#   1. scripts/package.sh builds the .deb (from --build-dir, e.g. build-test/) and runs lintian
#   2. apt-get installs it (as root, or through password-less sudo; otherwise the rest is skipped)
#   3. the installed files are checked (desktop entry, MIME type, AppStream data, completion) and
#      the installed programs run from / with an empty HOME, so nothing of the source tree helps:
#      lenet --version, lenet predict with the bundled model on ten MNIST test digits written as
#      PNG, and lenet-studio started by its desktop entry's command on the bundled model under
#      Xvfb (--grab succeeds)
#   4. apt-get removes it, and every file it installed must be gone
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/test_package.sh [--build-dir DIR]

Builds the Debian package (scripts/package.sh, with lintian), installs it with apt-get, runs the
installed programs and removes the package again. Needs root or password-less sudo for apt-get
(without, it stops after lintian and says so), MNIST's test set ($LENET_DATA or data/mnist),
ImageMagick's convert and xvfb-run. Refuses to run when lenet-studio is already installed.

  --build-dir DIR  package this configured build (default: scripts/package.sh's build-package/)

The screenshot of the installed studio is kept as installed-studio.png in the build folder.
EOF
}

say() { printf '==> %s\n' "$*"; }
die() { printf 'test_package.sh: error: %s\n' "$*" >&2; exit 1; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/as_root.sh
source "$REPO/scripts/as_root.sh"
build_args=()
shot_dir=$REPO/build-package
while (($#)); do
  case "$1" in
    --build-dir) (($# >= 2)) || die "--build-dir needs a folder"
                 build_args=(--build-dir "$2"); shot_dir=$2; shift ;;
    -h|--help)   usage; exit 0 ;;
    *)           usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done
DATA_DIR=${LENET_DATA:-$REPO/data/mnist}
for f in t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [[ -f $DATA_DIR/$f ]] || die "$DATA_DIR/$f not found (scripts/setup.sh --deps-only fetches MNIST)"
done
for tool in convert xvfb-run desktop-file-validate appstreamcli; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "$tool not found (scripts/setup.sh --test-tools installs it)"
done

tmp=$(mktemp -d)
installed=0
as_root=()
cleanup() {
  if ((installed)); then
    say "removing lenet-studio (clean-up after a failure)"
    "${as_root[@]}" apt-get remove -y lenet-studio >/dev/null || true
  fi
  rm -rf -- "$tmp"
}
trap cleanup EXIT
chmod 755 "$tmp"  # apt reads the .deb as its own user

# ---- 1. build and lintian ------------------------------------------------------------------------
bash "$REPO/scripts/package.sh" "${build_args[@]}" --out "$tmp"
debs=("$tmp"/lenet-studio_*.deb)
deb=${debs[0]}

# ---- 2. install ----------------------------------------------------------------------------------
if ! find_root; then
  say "SKIPPED installing the package: not root and no password-less sudo (the .deb was built and"
  say "lintian passed; run this as root to install, run and remove it)"
  exit 0
fi
if dpkg-query -W -f='${Status}' lenet-studio 2>/dev/null | grep -q "ok installed"; then
  die "lenet-studio is already installed here: remove it first (apt-get remove lenet-studio)"
fi
say "apt-get install $deb"
installed=1
"${as_root[@]}" apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=120 "$deb"
dpkg-query -L lenet-studio | while read -r path; do
  if [[ -f $path ]]; then echo "$path"; fi
done >"$tmp/files"
say "$(wc -l <"$tmp/files") files installed"

# ---- 3. the installed files and programs ---------------------------------------------------------
desktop=/usr/share/applications/lenet-studio.desktop
desktop-file-validate "$desktop"
# shared-mime-info (which Qt depends on) registers the model files' type by its dpkg trigger.
mime=/usr/share/mime/application/x-lenet-model.xml
[[ -f $mime ]] || die "the MIME type of .lenet files was not registered ($mime is missing)"
grep -q '^MimeType=application/x-lenet-model;$' "$desktop" ||
  die "the desktop entry does not open .lenet files"
appstreamcli validate --no-net "$(grep '^/usr/share/metainfo/' "$tmp/files")"
model=/usr/share/lenet-studio/models/lenet5-1998.lenet
[[ -f $model ]] || die "the bundled model is not at $model"
for size in 16x16 32x32 48x48 256x256 scalable; do
  compgen -G "/usr/share/icons/hicolor/$size/apps/lenet-studio.*" >/dev/null ||
    die "no $size icon installed"
done
zcat /usr/share/man/man1/lenet.1.gz /usr/share/man/man1/lenet-studio.1.gz >/dev/null
completed=$(bash -c 'source /usr/share/bash-completion/completions/lenet
  COMP_WORDS=(lenet train --optimizer ad); COMP_CWORD=3; _lenet; echo "${COMPREPLY[*]}"')
[[ $completed == adam ]] ||
  die "the installed completion of 'lenet train --optimizer ad' gave '$completed'"

# installed <command...>: runs a command from / with an empty HOME and nothing of this shell's
# environment (no LENET_DATA, no QT_QPA_PLATFORM).
home=$tmp/home
mkdir -m 700 "$home" "$tmp/runtime"
installed_env() {
  (cd / && env -i HOME="$home" XDG_RUNTIME_DIR="$tmp/runtime" PATH=/usr/bin:/bin "$@")
}

say "$(installed_env lenet --version)"
[[ $(installed_env sh -c 'command -v lenet') == /usr/bin/lenet ]] ||
  die "lenet is not /usr/bin/lenet"

say "lenet predict on the first ten MNIST test digits (written as PNG)"
head -c $((16 + 28 * 28 * 10)) "$DATA_DIR/t10k-images-idx3-ubyte" | tail -c $((28 * 28 * 10)) \
  >"$tmp/digits.raw"
convert -size 28x280 -depth 8 "gray:$tmp/digits.raw" -crop 28x28 +repage "$tmp/digit-%d.png"
pngs=()
for i in {0..9}; do pngs+=("$tmp/digit-$i.png"); done
want=$(od -An -tu1 -j8 -N10 "$DATA_DIR/t10k-labels-idx1-ubyte" | xargs)
got=$(installed_env lenet predict --model "$model" --json "${pngs[@]}" |
      sed -n 's/.*"class":\([0-9]*\).*/\1/p' | xargs)
say "labels $want, predicted $got"
[[ $got == "$want" ]] || die "the bundled model misread a digit"

# The desktop entry's command as a file manager runs it on a model: %f becomes the file.
exec_line=$(sed -n 's/^Exec=//p' "$desktop")
[[ $exec_line == *' %f' ]] || die "the desktop entry's Exec line takes no file: $exec_line"
exec_line=${exec_line/\%f/$model}
shot=$tmp/installed-studio.png
say "the desktop entry's command under Xvfb: $exec_line --grab ..."
# shellcheck disable=SC2086 # the Exec line is a command line
installed_env xvfb-run -a -s "-screen 0 1600x1000x24" $exec_line --grab "$shot" --grab-delay 1500
[[ $(file -b "$shot") == PNG* ]] || die "lenet-studio --grab wrote no PNG"
cp -- "$shot" "$shot_dir/installed-studio.png"
say "the studio's window: $(file -b "$shot" | cut -d, -f2) (kept as $shot_dir/installed-studio.png)"

# ---- 4. remove -----------------------------------------------------------------------------------
say "apt-get remove lenet-studio"
"${as_root[@]}" apt-get remove -y lenet-studio
installed=0
left=0
while read -r path; do
  if [[ -e $path ]]; then echo "still there after removal: $path" >&2; left=1; fi
done <"$tmp/files"
((left == 0)) || die "apt-get remove left files behind"
say "package: built, lintian-clean, installed, run and removed"
