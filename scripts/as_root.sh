# shellcheck shell=bash disable=SC2034  # as_root is for the scripts that source this
# Sourced by the scripts that run apt-get (setup.sh, test_package.sh).
# find_root: sets the array as_root to what runs a command as root, non-interactively: nothing
# but the environment when this is root, else password-less sudo; returns 1 when neither works.
find_root() {
  if ((EUID == 0)); then
    as_root=(env DEBIAN_FRONTEND=noninteractive)
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n env DEBIAN_FRONTEND=noninteractive)
  else
    return 1
  fi
}
