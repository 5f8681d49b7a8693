import { describe, expect, it } from 'vitest';
import { parseBtHeaders, stringifyWithBigInts, bigJson, synapseNameFromPath, successBody } from '../../../../src/axon/forms/legacy.js';
import { pythonJsonDumps, PyFloat, PyInt } from '../../../../src/wire/pythonJson.js';

describe('Bittensor HTTP form', () => {
  it('reads the headers a Python dendrite sends', () => {
    const h = parseBtHeaders({
      name: 'Dummy',
      timeout: '12.0',
      bt_header_dendrite_hotkey: '5F',
      bt_header_dendrite_nonce: '1763000000123456789',
      bt_header_dendrite_uuid: 'u-1',
      bt_header_dendrite_signature: '0xab',
      computed_body_hash: 'abc',
      bt_header_axon_hotkey: '5H',
      bt_header_input_obj_dummy_input: 'MA==',
    });
    expect(h).toMatchObject({
      hotkey: '5F',
      nonce: '1763000000123456789',
      uuid: 'u-1',
      signature: '0xab',
      timeoutSec: 12,
      computedBodyHash: 'abc',
      axonHotkey: '5H',
    });
    expect(parseBtHeaders({ timeout: 'soon' }).timeoutSec).toBeUndefined();
    expect(parseBtHeaders({}).hotkey).toBeUndefined();
  });

  it('takes the synapse name from the path', () => {
    expect(synapseNameFromPath('/Dummy')).toBe('Dummy');
    expect(synapseNameFromPath('/Dummy?x=1')).toBe('Dummy');
    expect(synapseNameFromPath('/')).toBe('');
  });

  it('keeps nanosecond nonces exact in JSON', () => {
    expect(stringifyWithBigInts({ nonce: bigJson('1763000000123456789') })).toBe('{"nonce":1763000000123456789}');
  });

  it('fills the terminals of a success body and echoes the request', () => {
    const out = JSON.parse(
      successBody(
        { dummy_input: 2, name: 'Dummy', axon: { ip: '1.2.3.4', port: 8091 } },
        { dummy_output: 4 },
        {
          processTimeSec: 0.01,
          axonHotkey: 'A',
          axonUuid: 'au',
          axonNonce: 5n,
          dendrite: { hotkey: 'D', nonce: '7', uuid: 'du', signature: '0x1', ip: '127.0.0.1', port: 5 },
        },
      ),
    ) as Record<string, Record<string, unknown>>;
    expect(out['dummy_output']).toBe(4);
    expect(out['axon']).toMatchObject({ ip: '1.2.3.4', port: 8091, status_code: 200, status_message: 'Success', process_time: 0.01, hotkey: 'A', nonce: 5 });
    expect(out['dendrite']).toMatchObject({ hotkey: 'D', nonce: 7, uuid: 'du' });
  });

  it('writes JSON as Python json.dumps does', () => {
    expect(pythonJsonDumps({ a: new PyFloat(12), b: [1, null], c: 'é', n: new PyInt(10n ** 19n) })).toBe(
      '{"a": 12.0, "b": [1, null], "c": "\\u00e9", "n": 10000000000000000000}',
    );
  });
});
