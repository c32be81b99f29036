#!/usr/bin/env python3
"""Writes the hand-made seeds of the parser-level fuzz targets into corpus/<target>/seed-*.
Request-level seeds (http_edge, grpc_frames, storage_signed_url) are captured from the
official clients by capture.js; stack and scenario seeds are the repository's own files."""
import base64, json, os

HERE = os.path.dirname(os.path.abspath(__file__))

def put(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'seed-' + name), 'wb') as f:
        f.write(data.encode() if isinstance(data, str) else data)

# Pub/Sub filters: filter line, then key=value attributes.
for i, (flt, attrs) in enumerate([
    ('attributes:domain', 'domain=com'),
    ('attributes.domain = "com"', 'domain=com\nx=y'),
    ('attributes.domain != "com" AND attributes:x', 'x=1'),
    ('hasPrefix(attributes.domain, "co")', 'domain=co.uk'),
    ('NOT attributes:domain OR (attributes.a = "1" AND -attributes:b)', 'a=1'),
    ('(attributes.a = "\\"quoted\\"" OR attributes.b = "\\u00e9")', 'b=é'),
    ('attributes.`weird key` = "v"', 'weird key=v'),
]):
    put('pubsub_filter', f'{i}', flt + '\n' + attrs)

AVRO = json.dumps({"type": "record", "name": "State", "namespace": "utilities", "fields": [
    {"name": "name", "type": "string"}, {"name": "post_abbr", "type": "string"},
    {"name": "population", "type": ["null", "long"], "default": None},
    {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["STATE", "TERRITORY"]}, "default": "STATE"},
    {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
    {"name": "scores", "type": {"type": "map", "values": "double"}, "default": {}},
    {"name": "hash", "type": {"type": "fixed", "name": "H", "size": 4}, "default": "abcd"},
    {"name": "raw", "type": "bytes", "default": ""}, {"name": "ok", "type": "boolean", "default": True},
    {"name": "f", "type": "float", "default": 0}, {"name": "i", "type": "int", "default": 0}]})
PROTO = '''syntax = "proto3";
package utilities;
// A state of the union.
message StateProto {
  string name = 1;
  string post_abbr = 2;
  repeated int64 counties = 3 [packed = true];
  map<string, int32> codes = 4;
  oneof extra { string motto = 5; bool island = 6; }
  Kind kind = 7;
  enum Kind { STATE = 0; TERRITORY = 1; }
  Nested nested = 8;
  message Nested { string note = 1; double d = 2; bytes b = 3; fixed32 f = 4; sint64 s = 5; }
}
'''
SPLIT = '\n----\n'
put('pubsub_schema', 'avro-json', '\x00' + AVRO + SPLIT + '{"name":"Alaska","post_abbr":"AK","population":{"long":733391},"kind":"STATE"}')
put('pubsub_schema', 'avro-binary', b'\x00' + AVRO.encode() + SPLIT.encode() + b'\x0cAlaska\x04AK\x02\x0a\x00\x00\x00abcd\x00\x01\x00\x00\x00\x00\x00')
put('pubsub_schema', 'avro-primitive', '\x00"string"' + SPLIT + '"x"')
put('pubsub_schema', 'avro-union', '\x00["null",{"type":"record","name":"R","fields":[{"name":"r","type":["null","R"]}]}]' + SPLIT + '{"R":{"r":null}}')
put('pubsub_schema', 'proto-json', '\x01' + PROTO + SPLIT + '{"name":"Alaska","postAbbr":"AK","counties":["1",2],"codes":{"a":1},"motto":"North","kind":"TERRITORY","nested":{"note":"n","d":1.5}}')
put('pubsub_schema', 'proto-binary', b'\x01' + PROTO.encode() + SPLIT.encode() + b'\x0a\x06Alaska\x12\x02AK\x1a\x02\x01\x02\x22\x05\x0a\x01a\x10\x01\x38\x01\x42\x03\x0a\x01n')
put('pubsub_schema', 'proto2', '\x01syntax = "proto2";\nmessage M { required string a = 1; optional int32 b = 2 [default = 3]; repeated M c = 3; extensions 100 to 200; }' + SPLIT + '{"a":"x","c":[{"a":"y"}]}')

# Calendar: start JSON, window, recurrence lines.
win = '2026-01-01T00:00:00Z 2027-01-01T00:00:00+01:00'
for i, (start, rules) in enumerate([
    ('{"dateTime":"2026-01-05T09:00:00+01:00","timeZone":"Europe/Paris"}', ['RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=10']),
    ('{"date":"2026-01-31"}', ['RRULE:FREQ=MONTHLY;BYMONTHDAY=31,-1;INTERVAL=2', 'EXDATE;VALUE=DATE:20260331']),
    ('{"dateTime":"2026-01-05T09:00:00Z"}', ['RRULE:FREQ=MONTHLY;BYDAY=-1FR,2TU;UNTIL=20261231T235959Z']),
    ('{"dateTime":"2026-02-29T12:00:00-05:30"}', ['RRULE:FREQ=YEARLY;INTERVAL=1', 'RDATE:20260310T090000Z,20260311T090000Z']),
    ('{"dateTime":"2026-01-05T09:00:00Z"}', ['RRULE:FREQ=DAILY;INTERVAL=3;COUNT=5', 'EXDATE:20260108T090000Z,20260111T090000Z']),
]):
    put('calendar', f'{i}', '\n'.join([start, win] + rules))

# Gemini: first byte picks generateContent(0), countTokens(1), embedContent(2), batch(3).
gen = {"contents": [{"role": "user", "parts": [{"text": "Summarize: hello"}, {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}]}],
       "systemInstruction": {"parts": [{"text": "Be short."}]},
       "generationConfig": {"temperature": 0.2, "maxOutputTokens": 64, "candidateCount": 1,
                            "responseMimeType": "application/json",
                            "responseSchema": {"type": "OBJECT", "properties": {"title": {"type": "STRING", "enum": ["a", "b"]},
                                "n": {"type": "INTEGER", "minimum": 1, "maximum": 9}, "tags": {"type": "ARRAY", "items": {"type": "STRING", "format": "date-time"}, "minItems": 1}},
                                "required": ["title"], "propertyOrdering": ["title", "n"]}}}
put('gemini', 'generate-schema', '\x00' + json.dumps(gen))
js = {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"responseMimeType": "application/json",
      "responseJsonSchema": {"$defs": {"P": {"type": "object", "properties": {"a": {"type": ["string", "null"]}}}},
                             "type": "object", "properties": {"p": {"$ref": "#/$defs/P"}, "q": {"anyOf": [{"type": "integer"}, {"type": "boolean"}]},
                             "s": {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^a"}}, "required": ["p"]}}}
put('gemini', 'generate-jsonschema', '\x00' + json.dumps(js))
tools = {"contents": [{"role": "user", "parts": [{"text": "weather?"}]}, {"role": "model", "parts": [{"functionCall": {"name": "get", "args": {"city": "Paris"}}}]},
                      {"role": "user", "parts": [{"functionResponse": {"name": "get", "response": {"t": 3}}}]}],
         "tools": [{"functionDeclarations": [{"name": "get", "description": "d", "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}, "required": ["city"]}},
                                             {"name": "j", "parametersJsonSchema": {"type": "object", "properties": {"x": {"type": "number"}}}}]}],
         "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get"]}}}
put('gemini', 'generate-tools', '\x00' + json.dumps(tools))
put('gemini', 'count', '\x01' + json.dumps({"generateContentRequest": {"model": "models/gemini-2.5-flash", "contents": [{"parts": [{"text": "count me"}]}]}}))
put('gemini', 'embed', '\x02' + json.dumps({"content": {"parts": [{"text": "embed me"}]}, "taskType": "RETRIEVAL_DOCUMENT", "outputDimensionality": 8}))
put('gemini', 'batch', '\x03' + json.dumps({"requests": [{"model": "models/gemini-embedding-001", "content": {"parts": [{"text": "a"}]}}]}))

# Tokens: (0) a JWT as given, (1) claims signed then verified, (2) OAuth requests.
def b64(s): return base64.urlsafe_b64encode(s.encode()).decode().rstrip('=')
hdr = b64('{"alg":"RS256","kid":"k","typ":"JWT"}')
claims = '{"aud":"https://svc.example","azp":"1","email":"sa@demo-project.iam.gserviceaccount.com","email_verified":true,"exp":1767610800,"iat":1767607200,"iss":"https://accounts.google.com","sub":"1"}'
put('tokens', 'jwt', '\x00' + hdr + '.' + b64(claims) + '.' + b64('x' * 256))
put('tokens', 'claims', '\x01' + claims)
put('tokens', 'claims-expired', '\x01{"iss":"accounts.google.com","exp":1,"aud":["a","b"]}')
put('tokens', 'authorize', '\x02GET /o/oauth2/v2/auth?client_id=c.apps.googleusercontent.com&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=code&scope=openid%20email%20profile&state=s&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&access_type=offline&login_hint=alice%40example.com\n\n')
put('tokens', 'token', '\x02POST /token\nContent-Type: application/x-www-form-urlencoded\nAuthorization: Basic Yzpz\n\ngrant_type=authorization_code&code=4%2F0AX&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&code_verifier=dBjftJeZ4CVP-mJ92K9Q&client_id=c')
put('tokens', 'refresh', '\x02POST /token\nContent-Type: application/x-www-form-urlencoded\n\ngrant_type=refresh_token&refresh_token=1%2F%2Fx&client_id=c&client_secret=s')
put('tokens', 'tokeninfo', '\x02GET /tokeninfo?id_token=' + hdr + '.' + b64(claims) + '.sig\n\n')
put('tokens', 'userinfo', '\x02GET /v1/userinfo\nAuthorization: Bearer ya29.abc\n\n')
put('tokens', 'revoke', '\x02POST /revoke?token=ya29.abc\nContent-Length: 0\n\n')

# Storage multipart/related (the Node client's shape), form uploads with POST policies.
mp_body = ('--boundary\r\nContent-Type: application/json\r\n\r\n{"name":"dir/a.txt","contentType":"text/plain","metadata":{"k":"v"},"crc32c":"AAAAAA=="}\r\n'
           '--boundary\r\nContent-Type: text/plain\r\n\r\nhello world\r\n--boundary--\r\n')
put('storage_multipart', 'related', 'POST /upload/storage/v1/b/b/o?uploadType=multipart\nContent-Type: multipart/related; boundary=boundary\n\n' + mp_body)
put('storage_multipart', 'quoted', 'POST /upload/storage/v1/b/b/o?uploadType=multipart\nContent-Type: multipart/related; boundary="a b:c"\n\n--a b:c\r\n\r\n{}\r\n--a b:c\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\r\n--a b:c--')
def form(fields, file):
    out = ''
    for k, v in fields:
        out += f'--B\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
    return out + f'--B\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n{file}\r\n--B--\r\n'
pol = json.dumps({"expiration": "2026-01-05T10:00:00Z", "conditions": [{"bucket": "demo-bucket"}, {"key": "up/1"},
    ["starts-with", "$Content-Type", "text/"], ["content-length-range", 1, 10], ["eq", "$x-goog-meta-a", "b"],
    {"x-goog-algorithm": "GOOG4-RSA-SHA256"}, {"x-goog-credential": "sa@demo-project.iam.gserviceaccount.com/20260105/auto/storage/goog4_request"},
    {"x-goog-date": "20260105T090000Z"}, {"success_action_status": "201"}]})
fields = [('key', 'up/1'), ('Content-Type', 'text/plain'), ('x-goog-meta-a', 'b'), ('x-goog-algorithm', 'GOOG4-RSA-SHA256'),
          ('x-goog-credential', 'sa@demo-project.iam.gserviceaccount.com/20260105/auto/storage/goog4_request'),
          ('x-goog-date', '20260105T090000Z'), ('success_action_status', '201'),
          ('policy', base64.b64encode(pol.encode()).decode()), ('x-goog-signature', 'ab' * 128)]
put('storage_policy', 'v4', 'POST /demo-bucket\nContent-Type: multipart/form-data; boundary=B\n\n' + form(fields, 'hello'))
put('storage_policy', 'v2', 'POST /demo-bucket\nContent-Type: multipart/form-data; boundary=B\n\n' + form([('key', '${filename}'), ('GoogleAccessId', 'sa@x'), ('policy', base64.b64encode(b'{"expiration":"2026-02-01T00:00:00.000Z","conditions":[["starts-with","$key",""]]}').decode()), ('signature', 'c2ln')], 'x'))
put('storage_signed_url', 'v4', 'GET /demo-bucket/dir/a%20b.txt?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=sa%40demo-project.iam.gserviceaccount.com%2F20260105%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=20260105T085900Z&X-Goog-Expires=900&X-Goog-SignedHeaders=host%3Bx-goog-meta-a&X-Goog-Signature=' + 'ab' * 256 + '\nHost: 127.0.0.1:8085\nx-goog-meta-a: b\n\n')
put('storage_signed_url', 'v2', 'PUT /demo-bucket/o?GoogleAccessId=sa%40demo-project.iam.gserviceaccount.com&Expires=1767610800&Signature=' + base64.b64encode(b's' * 256).decode().replace('+', '%2B').replace('/', '%2F').replace('=', '%3D') + '\nContent-Type: text/plain\nContent-MD5: abc\nx-goog-meta-a: b\n\nbody')

# Transcoder: "METHOD target" then the JSON body.
for i, t in enumerate([
    'PUT /v1/projects/demo-project/topics/t1\n{"labels":{"a":"b"},"messageRetentionDuration":"600s","schemaSettings":{"schema":"projects/demo-project/schemas/s","encoding":"JSON"}}',
    'POST /v1/projects/demo-project/topics/t1:publish\n{"messages":[{"data":"aGVsbG8=","attributes":{"k":"v"},"orderingKey":"o"}]}',
    'PUT /v1/projects/demo-project/subscriptions/s1\n{"topic":"projects/demo-project/topics/t1","ackDeadlineSeconds":10,"filter":"attributes:k","deadLetterPolicy":{"deadLetterTopic":"projects/demo-project/topics/dl","maxDeliveryAttempts":5},"retryPolicy":{"minimumBackoff":"1s"},"pushConfig":{"pushEndpoint":"http://127.0.0.1:9/push"}}',
    'POST /v1/projects/demo-project/subscriptions/s1:pull\n{"maxMessages":10,"returnImmediately":true}',
    'POST /v1/projects/demo-project/secrets?secretId=s\n{"replication":{"automatic":{}},"labels":{"a":"b"},"ttl":"3600s"}',
    'POST /v1/projects/demo-project/secrets/s:addVersion\n{"payload":{"data":"c2VjcmV0","dataCrc32c":"123"}}',
    'GET /v1/projects/demo-project/secrets/s/versions/latest:access?$alt=json;enum-encoding=int&prettyPrint=false\n',
    'POST /v2/projects/demo-project/locations/us-central1/queues/q/tasks\n{"task":{"httpRequest":{"url":"http://127.0.0.1:9/t","httpMethod":"POST","body":"e30=","headers":{"a":"b"},"oidcToken":{"serviceAccountEmail":"sa@x"}},"scheduleTime":"2026-01-05T10:00:00Z"},"responseView":"FULL"}',
    'PATCH /v1/projects/demo-project/subscriptions/s1\n{"subscription":{"ackDeadlineSeconds":20},"updateMask":"ackDeadlineSeconds"}',
    'GET /v1/projects/demo-project/topics?pageSize=2&pageToken=abc\n',
]):
    put('transcoder', f'{i}', t)

# gRPC frames: "path\n" then length-prefixed messages, protobuf encoded by hand here
# (capture.js adds the client libraries' own encodings).
def varint(n):
    out = b''
    while True:
        b = n & 0x7f
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out
def field(num, payload):  # length-delimited
    payload = payload.encode() if isinstance(payload, str) else payload
    return varint(num << 3 | 2) + varint(len(payload)) + payload
def vfield(num, n):
    return varint(num << 3) + varint(n)
def grpc(path, *msgs):
    return path.encode() + b'\n' + b''.join(b'\x00' + len(m).to_bytes(4, 'big') + m for m in msgs)
T = 'projects/demo-project/topics/t'
S = 'projects/demo-project/subscriptions/s'
put('grpc_frames', 'create-topic', grpc('/google.pubsub.v1.Publisher/CreateTopic', field(1, T) + field(2, field(1, 'a') + field(2, 'b'))))
put('grpc_frames', 'publish', grpc('/google.pubsub.v1.Publisher/Publish', field(1, T) + field(2, field(1, b'hi') + field(2, field(1, 'k') + field(2, 'v')) + field(5, 'o'))))
put('grpc_frames', 'create-sub-pull', grpc('/google.pubsub.v1.Subscriber/CreateSubscription', field(1, S) + field(2, T) + vfield(5, 10) + field(12, 'attributes:k')) +
    b'\x00' + len(field(1, S) + vfield(3, 10)).to_bytes(4, 'big') + field(1, S) + vfield(3, 10))
put('grpc_frames', 'pull', grpc('/google.pubsub.v1.Subscriber/Pull', field(1, S) + vfield(3, 10)))
put('grpc_frames', 'create-secret', grpc('/google.cloud.secretmanager.v1.SecretManagerService/CreateSecret',
    field(1, 'projects/demo-project') + field(2, 's') + field(3, field(2, field(1, b'')))))
put('grpc_frames', 'add-version', grpc('/google.cloud.secretmanager.v1.SecretManagerService/AddSecretVersion',
    field(1, 'projects/demo-project/secrets/s') + field(2, field(1, b'pw'))))
put('grpc_frames', 'create-queue', grpc('/google.cloud.tasks.v2.CloudTasks/CreateQueue',
    field(1, 'projects/demo-project/locations/us-central1') + field(2, field(1, 'projects/demo-project/locations/us-central1/queues/q'))))
put('grpc_frames', 'create-task', grpc('/google.cloud.tasks.v2.CloudTasks/CreateTask',
    field(1, 'projects/demo-project/locations/us-central1/queues/q') + field(2, field(3, field(1, 'http://127.0.0.1:9/t') + vfield(2, 1) + field(4, b'{}')))))

# Raw edge requests, in the shapes the clients send (capture.js adds recorded ones).
H = 'Host: 127.0.0.1:8085\r\nUser-Agent: gcloud-node-storage/7.22.0\r\n'
def req(first, headers='', body=b''):
    body = body.encode() if isinstance(body, str) else body
    return (first + '\r\n' + H + headers + '\r\n').encode() + body
mp = mp_body.encode()
put('http_edge', 'multipart', req('POST /upload/storage/v1/b/b/o?uploadType=multipart&name=a.txt HTTP/1.1',
    f'Content-Type: multipart/related; boundary=boundary\r\nContent-Length: {len(mp)}\r\n', mp))
put('http_edge', 'chunked', req('POST /upload/storage/v1/b/b/o?uploadType=multipart HTTP/1.1',
    'Content-Type: multipart/related; boundary=boundary\r\nTransfer-Encoding: chunked\r\n',
    f'{len(mp):x}\r\n'.encode() + mp + b'\r\n0\r\n\r\n'))
put('http_edge', 'resumable', req('POST /upload/storage/v1/b/b/o?uploadType=resumable&name=big.bin HTTP/1.1',
    'Content-Type: application/json\r\nX-Upload-Content-Length: 5\r\nContent-Length: 2\r\n', '{}') +
    req('PUT /upload/storage/v1/b/b/o?uploadType=resumable&name=big.bin&upload_id=abc HTTP/1.1',
        'Content-Range: bytes 0-4/5\r\nContent-Length: 5\r\n', 'hello') +
    req('PUT /upload/storage/v1/b/b/o?uploadType=resumable&upload_id=abc HTTP/1.1', 'Content-Range: bytes */5\r\nContent-Length: 0\r\n'))
put('http_edge', 'bucket-range', req('POST /storage/v1/b?project=demo-project HTTP/1.1', 'Content-Type: application/json\r\nContent-Length: 12\r\n', '{"name":"b"}') +
    req('POST /upload/storage/v1/b/b/o?uploadType=media&name=r.txt HTTP/1.1', 'Content-Length: 10\r\n', '0123456789') +
    req('GET /storage/v1/b/b/o/r.txt?alt=media HTTP/1.1', 'Range: bytes=2-5\r\n') +
    req('GET /b/r.txt HTTP/1.1', 'Range: bytes=-3\r\n'))
put('http_edge', 'expect-continue', req('PUT /b/x.txt HTTP/1.1', 'Expect: 100-continue\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n', 'abc'))
pub = '{"messages":[{"data":"aGk=","attributes":{"a":"b"}}]}'
put('http_edge', 'pubsub-rest', req('PUT /v1/projects/demo-project/topics/t HTTP/1.1', 'Content-Length: 2\r\n', '{}') +
    req('POST /v1/projects/demo-project/topics/t:publish HTTP/1.1', f'Content-Type: application/json\r\nContent-Length: {len(pub)}\r\n', pub))
g = json.dumps(gen)
put('http_edge', 'gemini', req('POST /v1beta/models/gemini-2.5-flash:generateContent HTTP/1.1', f'x-goog-api-key: k\r\nContent-Type: application/json\r\nContent-Length: {len(g)}\r\n', g))
ev = json.dumps({"summary": "Standup", "start": {"dateTime": "2026-01-05T09:00:00+01:00", "timeZone": "Europe/Paris"},
                 "end": {"dateTime": "2026-01-05T09:15:00+01:00", "timeZone": "Europe/Paris"}, "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3"]})
put('http_edge', 'calendar', req('POST /calendar/v3/calendars/primary/events HTTP/1.1', f'Authorization: Bearer ya29.x\r\nContent-Type: application/json\r\nContent-Length: {len(ev)}\r\n', ev) +
    req('GET /calendar/v3/calendars/primary/events?singleEvents=true&timeMin=2026-01-01T00:00:00Z HTTP/1.1', 'Authorization: Bearer ya29.x\r\n'))
put('http_edge', 'control', req('POST /_gcpsim/clock HTTP/1.1', 'Content-Length: 17\r\n', '{"advance":"30s"}') + req('GET /_gcpsim/events?limit=5 HTTP/1.1'))
put('http_edge', 'metadata', req('GET /computeMetadata/v1/instance/service-accounts/default/token HTTP/1.1', 'Metadata-Flavor: Google\r\n'))
