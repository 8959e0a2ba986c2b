#!/usr/bin/env bash
# curl tests against a running server: OLLAMA_HOST says where (default http://localhost:11434).
set -euo pipefail

BASE="${OLLAMA_HOST:-http://localhost:11434}"
case "$BASE" in http://*|https://*) ;; *) BASE="http://$BASE" ;; esac
BASE="${BASE%/}"

fail() { echo "FAIL: $*" >&2; exit 1; }

MODEL=$(curl -sf "$BASE/api/tags" | python -c 'import json, sys; print(json.load(sys.stdin)["models"][0]["model"])') \
  || fail "GET /api/tags"
echo "model: $MODEL"

out=$(curl -sf "$BASE/api/generate" -d "{\"model\": \"$MODEL\", \"prompt\": \"Why is the sky blue?\", \"stream\": false, \"options\": {\"num_predict\": 8}}")
echo "$out" | grep -q '"done": *true' || fail "generate: no done=true in $out"

lines=$(curl -sfN "$BASE/api/generate" -d "{\"model\": \"$MODEL\", \"prompt\": \"Hello\", \"options\": {\"num_predict\": 8}}" | wc -l)
[ "$lines" -ge 2 ] || fail "generate: expected a stream of several lines, got $lines"

out=$(curl -sf "$BASE/api/chat" -d "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stream\": false, \"options\": {\"num_predict\": 8}}")
echo "$out" | grep -q '"role": *"assistant"' || fail "chat: no assistant message in $out"

out=$(curl -sf "$BASE/api/embed" -d "{\"model\": \"$MODEL\", \"input\": [\"a\", \"b\"]}")
echo "$out" | python -c 'import json, sys; assert len(json.load(sys.stdin)["embeddings"]) == 2' || fail "embed"

code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/generate" -d '{"model": "no-such-model", "prompt": "x"}')
[ "$code" = 404 ] || fail "unknown model: HTTP $code, expected 404"

code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/generate" -d '{"model": ')
[ "$code" = 400 ] || fail "malformed JSON: HTTP $code, expected 400"

out=$(curl -sf "$BASE/v1/chat/completions" -H 'Content-Type: application/json' \
  -d "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 8}")
echo "$out" | grep -q '"chat.completion"' || fail "/v1/chat/completions: $out"

echo "all curl tests passed"
