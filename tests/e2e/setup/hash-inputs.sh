# shellcheck shell=bash
# Sourced by base-images.sh and engine-current.sh: the content hash in the tags
# of the e2e's local images.
#
# hash_inputs DIR [EXTRA...]: 12 hex digits over DIR's files (relative path,
# executable bit, content; symlink targets) and the EXTRA strings.
hash_inputs() {
  local dir=$1; shift
  {
    (cd "$dir" && find . \( -type f -o -type l \) -print | LC_ALL=C sort) | while IFS= read -r f; do
      if [ -L "$dir/$f" ]; then
        printf 'L %s %s\n' "$f" "$(readlink "$dir/$f")"
      else
        local x=-; [ -x "$dir/$f" ] && x=x
        printf 'F %s %s %s\n' "$f" "$x" "$(sha256sum < "$dir/$f" | cut -c1-64)"
      fi
    done
    local e; for e in "$@"; do printf 'X %s\n' "$e"; done
  } | sha256sum | cut -c1-12
}
