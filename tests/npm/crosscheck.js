// tests/npm/crosscheck.js: the Node.js side of tests/npm_registry.sh.
// It uses the npm package @kafkajs/confluent-schema-registry (and the avsc
// library it is built on) as an independent Schema Registry client and
// Avro serializer, to check kafkit's registry server and serdes.
//
// Usage: node crosscheck.js COMMAND ARGS...
//   register URL SUBJECT FILE [reformat]
//           register the schema text in FILE (reformatted by
//           JSON.parse/JSON.stringify with "reformat") under SUBJECT;
//           print its id
//   register-fails URL SUBJECT FILE
//           the registration must be refused; print the HTTP status
//   ids URL SUBJECT FILE VERSION
//           print "BYSCHEMA LATEST BYVERSION": the id of FILE's schema
//           under SUBJECT, the id of SUBJECT's latest version and of
//           VERSION
//   compatible URL SUBJECT FILE
//           print true or false: FILE against SUBJECT's latest version
//   config URL SUBJECT
//           print SUBJECT's compatibility level
//   encode URL ID IN.jsonl OUT.bin OUT.framed
//           encode each line of IN.jsonl (Avro's JSON encoding, read with
//           avsc against schema ID fetched from the registry) with the
//           client: OUT.bin gets the framed records separated by one byte
//           that occurs in none of them, OUT.framed gets "LEN:BYTES\n" per
//           record (kafkit consume -f '%S:%s\n'); print the separator as
//           \xHH
//   decode URL IN.framed EXPECT.jsonl [READER.avsc]
//           decode each "LEN:BYTES\n" record of IN.framed with the client
//           (resolved to READER when given) and check that it equals the
//           same line of EXPECT.jsonl (Avro's JSON encoding of the reader
//           schema, or of the writer schema without READER); print the
//           number of records
//   samejson SCHEMA.avsc A.jsonl B.jsonl [avro|plain]
//           A (Avro's JSON encoding) and B (in the given style, default
//           avro) must hold the same values of SCHEMA, line by line, down
//           to the bytes of their Avro encoding
// Exit status: 0 when the check holds, 1 otherwise (with a message on
// stderr naming the file, line and values).

'use strict';

const fs = require('fs');
const avro = require('avsc');
// loaded when first needed: samejson runs without it, faster
let srMod = null;

function sr() {
        if (!srMod)
                srMod = require('@kafkajs/confluent-schema-registry');
        return srMod;
}

function die(msg) {
        process.stderr.write('crosscheck.js: ' + msg + '\n');
        process.exit(1);
}

function client(url) {
        // no retries: a failure must show at once, not after backoff
        return new (sr().SchemaRegistry)({ host: url, retry: { retries: 0 } });
}

function lines(file) {
        const text = fs.readFileSync(file, 'utf8');
        const out = text.split('\n');
        if (out.length > 0 && out[out.length - 1] === '')
                out.pop();
        return out;
}

// Parses the records written by `kafkit consume -f '%S:%s\n'`.
function framedRecords(file) {
        const buf = fs.readFileSync(file);
        const recs = [];
        let pos = 0;

        while (pos < buf.length) {
                const colon = buf.indexOf(0x3a, pos);
                if (colon < 0)
                        die(`${file}: record ${recs.length + 1}: no ':' after the length`);
                const len = Number(buf.toString('latin1', pos, colon));
                if (!Number.isInteger(len) || len < 0 || colon + 1 + len + 1 > buf.length)
                        die(`${file}: record ${recs.length + 1}: bad length ` +
                            JSON.stringify(buf.toString('latin1', pos, colon)));
                recs.push(buf.subarray(colon + 1, colon + 1 + len));
                pos = colon + 1 + len;
                if (buf[pos] !== 0x0a)
                        die(`${file}: record ${recs.length}: no newline after ${len} bytes`);
                pos++;
        }
        return recs;
}

function typeOfFile(file) {
        return avro.Type.forSchema(JSON.parse(fs.readFileSync(file, 'utf8')));
}

// Equal values of TYPE: compared through their Avro encoding, which
// tells apart what JSON text may blur (0 and -0, a long and a double).
function sameValue(type, a, b) {
        return type.toBuffer(a).equals(type.toBuffer(b));
}

function show(type, v) {
        return type.toString(v);
}

async function main() {
        const [cmd, ...args] = process.argv.slice(2);

        switch (cmd) {
        case 'register':
        case 'register-fails': {
                const [url, subject, file, how] = args;
                let text = fs.readFileSync(file, 'utf8');
                if (how === 'reformat')
                        text = JSON.stringify(JSON.parse(text));
                const reg = client(url);
                let res;
                try {
                        res = await reg.register({ type: sr().SchemaType.AVRO, schema: text },
                                                 { subject });
                } catch (e) {
                        if (cmd === 'register-fails') {
                                console.log(e.status);
                                return;
                        }
                        die(`register ${file} under ${subject}: ${e.message}`);
                }
                if (cmd === 'register-fails')
                        die(`register ${file} under ${subject} succeeded (id ${res.id}), expected a refusal`);
                if (!Number.isInteger(res.id) || res.id <= 0)
                        die(`register ${file}: bad id ${JSON.stringify(res)}`);
                console.log(res.id);
                return;
        }
        case 'ids': {
                const [url, subject, file, version] = args;
                const reg = client(url);
                const text = fs.readFileSync(file, 'utf8');
                const bySchema = await reg.getRegistryIdBySchema(subject,
                        { type: sr().SchemaType.AVRO, schema: text });
                const latest = await reg.getLatestSchemaId(subject);
                const byVersion = await reg.getRegistryId(subject, Number(version));
                console.log(`${bySchema} ${latest} ${byVersion}`);
                return;
        }
        case 'compatible': {
                const [url, subject, file] = args;
                const reg = client(url);
                const res = await reg.api.Subject.compatible({
                        subject,
                        body: { schema: fs.readFileSync(file, 'utf8') },
                });
                const data = res.data();
                if (typeof data.is_compatible !== 'boolean')
                        die(`compatibility answer without is_compatible: ${JSON.stringify(data)}`);
                console.log(data.is_compatible);
                return;
        }
        case 'config': {
                const [url, subject] = args;
                const res = await client(url).api.Subject.config({ subject });
                console.log(res.data().compatibilityLevel);
                return;
        }
        case 'encode': {
                const [url, idText, input, outBin, outFramed] = args;
                const id = Number(idText);
                const reg = client(url);
                const type = await reg.getSchema(id);
                const recs = [];
                const seen = new Set();

                lines(input).forEach((line, i) => {
                        let val;
                        try {
                                val = type.fromString(line);
                        } catch (e) {
                                die(`${input}:${i + 1}: avsc cannot read it: ${e.message}`);
                        }
                        recs.push(val);
                });
                const bufs = [];
                for (const val of recs) {
                        const b = await reg.encode(id, val);
                        b.forEach((byte) => seen.add(byte));
                        bufs.push(b);
                }
                let sep = -1;
                for (let c = 0xff; c > 0; c--) {
                        if (!seen.has(c)) {
                                sep = c;
                                break;
                        }
                }
                if (sep < 0)
                        die('every byte value occurs in the records: no separator');
                const parts = [];
                const framed = [];
                bufs.forEach((b, i) => {
                        if (i > 0)
                                parts.push(Buffer.from([sep]));
                        parts.push(b);
                        framed.push(Buffer.from(`${b.length}:`, 'latin1'), b, Buffer.from('\n'));
                });
                fs.writeFileSync(outBin, Buffer.concat(parts));
                fs.writeFileSync(outFramed, Buffer.concat(framed));
                console.log('\\x' + sep.toString(16).padStart(2, '0'));
                return;
        }
        case 'decode': {
                const [url, input, expectFile, readerFile] = args;
                const reg = client(url);
                const recs = framedRecords(input);
                const expect = lines(expectFile);
                let opts;
                let readerType = null;

                if (readerFile) {
                        const text = fs.readFileSync(readerFile, 'utf8');
                        opts = { [sr().SchemaType.AVRO]: { readerSchema: JSON.parse(text) } };
                        readerType = typeOfFile(readerFile);
                }
                if (recs.length !== expect.length)
                        die(`${input}: ${recs.length} records, ${expectFile}: ${expect.length} lines`);
                for (let i = 0; i < recs.length; i++) {
                        let got;
                        try {
                                got = await reg.decode(recs[i], opts);
                        } catch (e) {
                                die(`${input}: record ${i + 1} (${recs[i].toString('hex')}): ${e.message}`);
                        }
                        const type = readerType ||
                                await reg.getSchema(recs[i].readInt32BE(1));
                        let want;
                        try {
                                want = type.fromString(expect[i]);
                        } catch (e) {
                                die(`${expectFile}:${i + 1}: avsc cannot read it: ${e.message}`);
                        }
                        if (!sameValue(type, got, want))
                                die(`${input}: record ${i + 1} decodes to ${show(type, got)}, ` +
                                    `${expectFile}:${i + 1} says ${show(type, want)}`);
                }
                console.log(recs.length);
                return;
        }
        case 'samejson': {
                const [schemaFile, fileA, fileB, style = 'avro'] = args;
                const type = typeOfFile(schemaFile);
                const a = lines(fileA);
                const b = lines(fileB);

                if (a.length !== b.length)
                        die(`${fileA}: ${a.length} lines, ${fileB}: ${b.length} lines`);
                for (let i = 0; i < a.length; i++) {
                        let va;
                        let vb;
                        try {
                                va = type.fromString(a[i]);
                        } catch (e) {
                                die(`${fileA}:${i + 1}: avsc cannot read it: ${e.message}`);
                        }
                        try {
                                vb = style === 'plain' ? type.clone(JSON.parse(b[i]))
                                                       : type.fromString(b[i]);
                        } catch (e) {
                                die(`${fileB}:${i + 1}: avsc cannot read it (${style}): ${e.message}`);
                        }
                        if (!sameValue(type, va, vb))
                                die(`${fileA}:${i + 1} and ${fileB}:${i + 1} differ: ` +
                                    `${show(type, va)} vs ${show(type, vb)}`);
                }
                console.log(a.length);
                return;
        }
        default:
                die(`unknown command ${JSON.stringify(cmd)}`);
        }
}

main().catch((e) => die(e && e.stack ? e.stack : String(e)));
