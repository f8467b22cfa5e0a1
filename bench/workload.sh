# Sourced by bench/scale.sh and bench/rss.sh: the posts and configuration they run the real
# binary on.
# write_workload DIR POSTS WORDS: DIR/posts.jsonl holds POSTS posts of WORDS words each, mixing
# English and Chinese (1 in 100 keeps "acme" and "refund", which the rule asks for together);
# DIR/c.yaml has that rule and a file sink writing DIR/alerts.jsonl.
write_workload() {
  python3 - "$1/posts.jsonl" "$2" "$3" <<'PY'
import json, random, sys
random.seed(1)
words = 'acme refund iphone 二手 便宜 switch 出售 weather lunch meeting 今天 天氣 好 不錯 朋友 電影'.split()
with open(sys.argv[1], 'w') as f:
    for i in range(int(sys.argv[2])):
        t = ' '.join(random.choice(words) for _ in range(int(sys.argv[3])))
        if i % 100 != 0:
            t = t.replace('acme', 'ac').replace('refund', 'ref')
        f.write(json.dumps({'source': 'bench', 'external_id': 'p%d' % i, 'text': t}, ensure_ascii=False) + '\n')
PY
  cat > "$1/c.yaml" <<YAML
rules:
  - {name: acme, query: 'acme refund', sinks: [f]}
sinks: [{name: f, type: file, path: $1/alerts.jsonl}]
YAML
}
