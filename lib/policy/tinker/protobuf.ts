/**
 * The few protobuf messages the Tinker API takes in binary (forward_backward sends
 * tinker_public.ForwardBackwardRequest as application/x-protobuf). Field numbers are
 * those of tinker_public.proto in the public Python SDK. A minimal writer, and a reader
 * the tests' fake server uses to check what we send.
 */

export interface TensorProto {
  readonly dtype: "float32" | "int64";
  readonly values: readonly number[];
  readonly shape?: readonly number[];
}

export interface DatumProto {
  /** EncodedTextChunk tokens (int32). */
  readonly modelInput: readonly number[];
  readonly lossFnInputs: Readonly<Record<string, TensorProto>>;
}

export interface ForwardBackwardRequestProto {
  readonly modelId: string;
  readonly seqId: number;
  readonly data: readonly DatumProto[];
  readonly lossFn: string;
  readonly lossFnConfig?: Readonly<Record<string, number>>;
  readonly forwardOnly?: boolean;
}

const DTYPE = { float32: 1, int64: 2 } as const;

class Writer {
  private bytes: number[] = [];
  varint(v: number | bigint): this {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.bytes.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.bytes.push(Number(x));
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }
  bytesField(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }
  double(field: number, v: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.tag(field, 1);
    for (const x of b) this.bytes.push(x);
    return this;
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function tensorBytes(t: TensorProto): Uint8Array {
  if (t.dtype === "float32") return new Uint8Array(Float32Array.from(t.values).buffer);
  return new Uint8Array(BigInt64Array.from(t.values.map((v) => BigInt(Math.trunc(v)))).buffer);
}

function encodeTensor(t: TensorProto): Uint8Array {
  const w = new Writer().bytesField(1, tensorBytes(t)).tag(3, 0).varint(DTYPE[t.dtype]);
  for (const d of t.shape ?? [t.values.length]) w.tag(4, 0).varint(d);
  return w.finish();
}

function encodeDatum(d: DatumProto): Uint8Array {
  const w = new Writer();
  const tokens = new Uint8Array(Int32Array.from(d.modelInput).buffer);
  const chunk = new Writer().bytesField(1, new Writer().bytesField(1, tokens).finish()).finish();
  w.bytesField(1, chunk);
  for (const [key, t] of Object.entries(d.lossFnInputs)) {
    w.bytesField(2, new Writer().string(1, key).bytesField(2, encodeTensor(t)).finish());
  }
  return w.finish();
}

export function encodeForwardBackwardRequest(r: ForwardBackwardRequestProto): Uint8Array {
  const w = new Writer().string(1, r.modelId).tag(2, 0).varint(r.seqId);
  for (const d of r.data) w.bytesField(3, encodeDatum(d));
  w.string(4, r.lossFn);
  for (const [k, v] of Object.entries(r.lossFnConfig ?? {})) {
    w.bytesField(5, new Writer().string(1, k).double(2, v).finish());
  }
  if (r.forwardOnly) w.tag(6, 0).varint(1);
  return w.finish();
}

// ------------------------------------------------------------------ reader (for tests)

type Field = { field: number; wire: number; value: bigint | Uint8Array };

function readFields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = () => {
    let r = 0n, s = 0n;
    for (;;) {
      const c = b[i++];
      if (c === undefined) throw new Error("truncated protobuf");
      r |= BigInt(c & 0x7f) << s;
      s += 7n;
      if (c < 0x80) return r;
    }
  };
  while (i < b.length) {
    const key = Number(varint());
    const field = key >> 3, wire = key & 7;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 2) {
      const n = Number(varint());
      out.push({ field, wire, value: b.subarray(i, i + n) });
      i += n;
    } else if (wire === 1) {
      out.push({ field, wire, value: b.slice(i, i + 8) });
      i += 8;
    } else if (wire === 5) {
      out.push({ field, wire, value: b.slice(i, i + 4) });
      i += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const bytesOf = (f: Field) => f.value as Uint8Array;
const text = (f: Field) => new TextDecoder().decode(bytesOf(f));

function decodeTensor(b: Uint8Array): TensorProto {
  const fs = readFields(b);
  const dtype = Number(fs.find((f) => f.field === 3)?.value ?? 0n) === 2 ? "int64" : "float32";
  const raw = bytesOf(fs.find((f) => f.field === 1)!).slice();
  const values = dtype === "float32"
    ? [...new Float32Array(raw.buffer)]
    : [...new BigInt64Array(raw.buffer)].map(Number);
  return { dtype, values, shape: fs.filter((f) => f.field === 4).map((f) => Number(f.value)) };
}

export function decodeForwardBackwardRequest(b: Uint8Array): ForwardBackwardRequestProto {
  const fs = readFields(b);
  const data = fs.filter((f) => f.field === 3).map((f) => {
    const dfs = readFields(bytesOf(f));
    const modelInput = dfs.filter((x) => x.field === 1).flatMap((chunk) => {
      const encoded = readFields(bytesOf(chunk)).find((x) => x.field === 1)!;
      const tokens = bytesOf(readFields(bytesOf(encoded)).find((x) => x.field === 1)!).slice();
      return [...new Int32Array(tokens.buffer)];
    });
    const lossFnInputs: Record<string, TensorProto> = {};
    for (const entry of dfs.filter((x) => x.field === 2)) {
      const efs = readFields(bytesOf(entry));
      lossFnInputs[text(efs.find((x) => x.field === 1)!)] = decodeTensor(
        bytesOf(efs.find((x) => x.field === 2)!),
      );
    }
    return { modelInput, lossFnInputs };
  });
  const lossFnConfig: Record<string, number> = {};
  for (const entry of fs.filter((f) => f.field === 5)) {
    const efs = readFields(bytesOf(entry));
    lossFnConfig[text(efs.find((x) => x.field === 1)!)] = new DataView(
      bytesOf(efs.find((x) => x.field === 2)!).buffer,
    ).getFloat64(0, true);
  }
  return {
    modelId: text(fs.find((f) => f.field === 1)!),
    seqId: Number(fs.find((f) => f.field === 2)?.value ?? 0n),
    data,
    lossFn: text(fs.find((f) => f.field === 4)!),
    lossFnConfig,
    forwardOnly: Number(fs.find((f) => f.field === 6)?.value ?? 0n) === 1,
  };
}
