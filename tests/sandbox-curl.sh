#!/usr/bin/env bash
# The README's "sign a file with plain curl" walk-through, run as a test: start the sandbox, get a
# token, sign one PDF and one XML, check them with pdfsig and xmlsec1.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SIGNSTASH:-target/debug/signstash}
WORK=$(mktemp -d)
trap 'kill $SANDBOX 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT

"$BIN" sandbox --listen 127.0.0.1:$PORT --data-dir "$WORK/data" > "$WORK/sandbox.out" &
SANDBOX=$!
for _ in $(seq 50); do curl -s -o /dev/null $BASE/ && break; sleep 0.1; done
python3 ../shared/acceptance/lib/mkdocs.py "$WORK" 1 --xml 1 2>/dev/null || python3 - "$WORK" <<'PY'
import sys
# Fallback when ../shared is absent: one small PDF and one UBL invoice.
d = sys.argv[1]
c = b"BT /F1 18 Tf 72 720 Td (Fatura 1) Tj ET"
objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(c) + c + b"\nendstream", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
out = bytearray(b"%PDF-1.7\n"); offs = []
for i, o in enumerate(objs, 1):
    offs.append(len(out)); out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
x = len(out); out += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offs)
out += b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % x
open(d + "/fatura_0000.pdf", "wb").write(out)
open(d + "/fatura_0000.xml", "w").write('<?xml version="1.0" encoding="UTF-8"?>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>FT 1</ID></Invoice>\n')
PY
cd "$WORK"

# --- the README's walk-through, verbatim from here ---
TOKEN=$(curl -s -u sandbox:sandbox -d grant_type=client_credentials \
  $BASE/oauth2/authorization-server/oauth/token | jq -r .access_token)

cat > request.json <<JSON
{"externalReference": "demo-$RANDOM", "description": "Demo", "returnSignedContent": true,
 "documents": [
  {"documentRequest": {"externalReference": "demo-pdf-$RANDOM", "name": "fatura_0000.pdf",
     "contentType": "application/pdf", "base64Content": "$(base64 -w0 fatura_0000.pdf)"},
   "signatureInfo": {"signatureType": "PAdES", "reason": "Fatura", "location": "Lisboa",
     "visibleSignatureInfo": {"locationType": "COORDINATE", "locationValue": "page=1,x=380,y=40",
       "area": "width=180,height=50", "templateType": "ONE_OFF",
       "oneOffTemplate": "Assinado por \$certificate.getCommonName()"}}},
  {"documentRequest": {"externalReference": "demo-xml-$RANDOM", "name": "fatura_0000.xml",
     "contentType": "application/xml", "base64Content": "$(base64 -w0 fatura_0000.xml)"},
   "signatureInfo": {"signatureType": "XAdES"}}]}
JSON

curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data @request.json \
  $BASE/signstash/einvoice-integration-ws/api/v0/document/sign/base64/ > answer.json
jq -r '.documentList[0].signedContent' answer.json | base64 -d > fatura_0000_signed.pdf
jq -r '.documentList[1].signedContent' answer.json | base64 -d > fatura_0000_signed.xml

pdfsig fatura_0000_signed.pdf
xmlsec1 --verify --trusted-pem "$(curl -s $BASE/ | jq -r .ca_certificate)" fatura_0000_signed.xml
# --- end of the walk-through ---

pdfsig -nocert -no-ocsp fatura_0000_signed.pdf | grep -q "Signature is Valid" || { echo "sandbox-curl: pdfsig does not accept the PDF"; exit 1; }
pdfsig -nocert -no-ocsp fatura_0000_signed.pdf | grep -q "Total document signed" || { echo "sandbox-curl: PDF not wholly signed"; exit 1; }
echo "sandbox-curl: 1 passed, 0 failed"
