#!/usr/bin/env bash
# repo_paths.sh [REPO] - the project needs nothing outside its own
# repository: fails when a tracked file refers to a path that leaves it.
#
# Looks, in every tracked text file, for
#   - relative paths made of "../" steps, resolved from the file's own
#     folder (and, for CMake's *_SOURCE_DIR variables, from the folder they
#     name), that end up outside the repository;
#   - the folders a development machine keeps beside a checkout
#     ("shared/corpus", "shared/notes", "/work/").
# A user's clone has none of them, so a test, script or build step that
# reads one passes only on the machine it was written on.
set -euo pipefail
repo=$(cd "${1:-$(dirname "$0")/..}" && pwd -P)
cd "$repo"
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "repo_paths: skipped: $repo is not a git checkout (nothing says which files are tracked)"
  exit 77
fi
self=tests/repo_paths.sh
bad=0
report() { # FILE LINE TEXT WHY
  printf '%s:%s: %s\n    %s\n' "$1" "$2" "$4" "$3" >&2
  bad=$((bad + 1))
}
inside() { # PATH (absolute, may not exist): is it inside the repository?
  local p
  p=$(realpath -m "$1")
  [[ $p == "$repo" || $p == "$repo"/* ]]
}

# candidate lines from one git grep over the tracked text files (-I skips
# binary ones), then each ../ run on them resolved from its file's folder
while IFS= read -r -d '' f && IFS= read -r -d '' line && IFS= read -r text; do
  [[ $f == "$self" ]] && continue
  dir=$(dirname "$f")
  # every run of ../ steps with what follows it, e.g. ../../shared/x
  while read -r rel; do
    [[ -n $rel ]] || continue
    base=$dir
    case $text in
    *'PROJECT_SOURCE_DIR}/'"$rel"* | *'CMAKE_SOURCE_DIR}/'"$rel"*) base=. ;;
    esac
    inside "$repo/$base/$rel" ||
      report "$f" "$line" "$text" "refers to $rel, outside the repository"
  done < <(grep -oP '(?<![.\w])(\.\./)+[\w.*-][\w./*-]*|(?<![.\w])(\.\./)*\.\.(?=[\s"'"'"');]|$)' <<<"$text" |
    sed -E 's#([^./])[.]+$#\1#')
done < <(git grep -z -n -I -E '\.\./|\.\.(["'"'"' );]|$)' || true)
while IFS= read -r -d '' f && IFS= read -r -d '' line && IFS= read -r text; do
  [[ $f == "$self" ]] && continue
  report "$f" "$line" "$text" "refers to a folder of a development machine"
done < <(git grep -z -n -I -E 'shared/(corpus|notes|hooks)|/work/' || true)
checked=$(git grep -I -l -e '' | wc -l)

if ((bad)); then
  echo "repo_paths: $bad reference(s) to paths outside the repository (above)" >&2
  exit 1
fi
echo "repo_paths: $checked tracked text files, none refers to a path outside the repository"
