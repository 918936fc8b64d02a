#!/usr/bin/env bash
# Renders the local Realtime simulator's speech clips ONCE with espeak-ng and sox, and writes them with
# their manifest to Sources/RealtimeSim/Resources/speech (committed; the build never runs this script).
#
#   scripts/render-speech-clips.sh
#
# Each clip: espeak-ng (voice "he" or "en-us", 160 words per minute) -> sox: 8 kHz, mono, normalised to
# -3 dBFS peak, leading/trailing silence trimmed to 100 ms / 200 ms, stored as 8-bit G.711 mu-law WAV
# (8 KB per second: telephone quality, which is what the engine carries anyway).
# "bot" clips are the simulated model's replies; "caller" clips are what a synthetic caller says (the
# engine's demo and load generator play them). The table below is the single source of truth: the
# manifest clips.json is generated from it, and SpeechClips reads the manifest.
set -euo pipefail
cd "$(dirname "$0")/.."
out=Sources/RealtimeSim/Resources/speech
command -v espeak-ng >/dev/null && command -v sox >/dev/null || { echo "need espeak-ng and sox (scripts/setup.sh)" >&2; exit 1; }

# language|role|name|text   (texts must not contain '"', '\' or '|')
clips=(
  "he|bot|greeting|שלום, הגעת למרפאת השיניים. במה אפשר לעזור?"
  "he|bot|ask-details|בשמחה. מה השם ומספר הטלפון שלך?"
  "he|bot|offer|יש לנו תור פנוי ביום שלישי בשעה עשר בבוקר. זה מתאים לך?"
  "he|bot|booked|מעולה, קבעתי לך תור ליום שלישי בשעה עשר."
  "he|bot|confirm|בסדר גמור, רשמתי."
  "he|bot|sorry|סליחה, לא שמעתי טוב. אפשר לחזור על זה?"
  "he|bot|goodbye|תודה רבה, להתראות"
  "en|bot|greeting|Hello, you have reached the dental clinic. How can I help?"
  "en|bot|ask-details|Of course. May I have your name and phone number?"
  "en|bot|offer|We have an opening on Tuesday at ten in the morning. Does that work for you?"
  "en|bot|booked|Great, you are booked for Tuesday at ten."
  "en|bot|confirm|Okay, got it."
  "en|bot|sorry|Sorry, I did not catch that. Could you say it again?"
  "en|bot|goodbye|Thank you very much, goodbye."
  "he|caller|appointment|שלום, אני רוצה לקבוע תור לבדיקה."
  "he|caller|details|קוראים לי דני כהן, המספר שלי אפס חמש ארבע, שתיים שלוש ארבע, חמש שש שבע שמונה."
  "he|caller|accept|כן, זה מתאים לי."
  "he|caller|goodbye|תודה, להתראות."
  "en|caller|appointment|Hi, I would like to book a dental checkup."
  "en|caller|details|My name is Dan Cohen, my number is zero five four, two three four, five six seven eight."
  "en|caller|accept|Yes, that works for me."
  "en|caller|goodbye|Thanks, goodbye."
)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f "$out"/*.wav "$out"/clips.json
manifest="$tmp/clips.json"
echo "[" > "$manifest"
first=1
for entry in "${clips[@]}"; do
  IFS='|' read -r language role name text <<< "$entry"
  voice=$([[ $language == he ]] && echo he || echo en-us)
  file="$language-$role-$name.wav"
  espeak-ng -v "$voice" -s 160 -w "$tmp/raw.wav" "$text"
  sox "$tmp/raw.wav" -r 8000 -c 1 "$tmp/trimmed.wav" \
      silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse norm -3 pad 0.1 0.2
  sox "$tmp/trimmed.wav" -e mu-law -b 8 "$out/$file"
  ((first)) || echo "," >> "$manifest"
  first=0
  printf '  {"language": "%s", "role": "%s", "name": "%s", "file": "%s", "text": "%s"}' \
      "$language" "$role" "$name" "$file" "$text" >> "$manifest"
  printf '%-34s %5.2f s\n' "$file" "$(soxi -D "$out/$file")"
done
printf '\n]\n' >> "$manifest"
cp "$manifest" "$out/clips.json"
du -ch "$out"/*.wav | tail -1
