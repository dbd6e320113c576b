#!/bin/sh
# Print .env.example with every empty value filled with a fresh random secret (48 hex digits):
#   sh docker/make-env.sh > .env
set -eu
example="$(dirname "$0")/../.env.example"
while IFS= read -r line; do
    case "$line" in
        [A-Z]*=)
            secret=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
            printf '%s%s\n' "$line" "$secret"
            ;;
        *) printf '%s\n' "$line" ;;
    esac
done < "$example"
