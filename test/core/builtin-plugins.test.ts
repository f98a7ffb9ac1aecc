// The built-in plugins ship inside Sluice, so loading one does not check its supported range (see
// importPlugin): this test does, for each of them, against the version being released.
import { expect } from 'chai';
import { checkSupportedRange, importPlugin } from '../../core/plugin/loader.js';
import { builtinNames } from '../../core/plugin/resolve.js';
import { SLUICE_VERSION } from '../../core/version.js';

describe('built-in plugins', () => {
  for (const name of builtinNames()) {
    it(`${name} supports this Sluice (${SLUICE_VERSION}) with a valid range`, async () => {
      const { definition, source } = await importPlugin(name, process.cwd());
      expect(source).to.equal('builtin');
      await checkSupportedRange(definition);
    });
  }

  it('a range this version does not satisfy, or no range at all, is refused', async () => {
    const { definition } = await importPlugin('router', process.cwd());
    const errors: string[] = [];
    for (const sluice of ['^9.0.0', 'not a range']) {
      await checkSupportedRange({ ...definition, sluice }).catch((err: Error) => errors.push(err.message));
    }
    expect(errors).to.deep.equal([
      `plugin router@${definition.version} supports Sluice ^9.0.0, but this is Sluice ${SLUICE_VERSION}`,
      'plugin router declares an invalid supported Sluice range "not a range"',
    ]);
  });
});
