#!/usr/bin/env bash
# Run CI on a fresh clone of the committed HEAD, as CI would (Node from the system PATH,
# CI=true, no node_modules). Uncommitted changes are NOT included: commit first.
#   bash scripts/ci/fresh-clone.sh            # clone, run .ci/run, delete the clone
#   KEEP=1 bash scripts/ci/fresh-clone.sh     # keep the clone for inspection
set -euo pipefail

repo="$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)"
head="$(git -C "$repo" rev-parse HEAD)"
dir="$(mktemp -d "${TMPDIR:-/tmp}/ballast-ci.XXXXXX")"

cleanup() {
  if [[ "${KEEP:-0}" == "1" ]]; then
    echo "clone kept at $dir"
  else
    rm -rf "$dir"
  fi
}
trap cleanup EXIT

if [[ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]]; then
  echo "warning: uncommitted changes in $repo are not part of this run" >&2
fi

echo "cloning $repo at ${head:0:12} into $dir"
git clone --quiet --no-hardlinks "$repo" "$dir"
git -C "$dir" checkout --quiet --detach "$head"

# Behave like a clean machine even when started through `npm run`: drop node_modules/.bin
# entries (the pinned Node 22) from PATH and npm's per-run environment variables.
clean_path="$(printf '%s' "$PATH" | tr ':' '\n' | grep -v 'node_modules/\.bin' | paste -sd: -)"
while IFS= read -r var; do
  unset "$var"
done < <(env | grep -oE '^(npm_[A-Za-z0-9_]+|INIT_CWD)=' | tr -d '=' || true)

cd "$dir"
PATH="$clean_path" CI=true bash .ci/run
