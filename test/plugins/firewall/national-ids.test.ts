// Brazil CPF, Canada SIN, Spain DNI/NIE: check digits and context; plus the PII false positives the
// held-out corpus showed (invalid IBANs read as phones, test cards in docs, versions).
import { expect } from 'chai';
import { expectFound, expectNothing, scan } from './helpers.js';
import { cpfValid, dniValid, nieValid, sinValid } from '../../../plugins/firewall/validators/national-ids.js';

describe('firewall national identifiers', () => {
  it('validates check digits', () => {
    expect(cpfValid('52998224725')).to.equal(true); // Receita Federal's published example
    expect(cpfValid('52998224726')).to.equal(false);
    expect(cpfValid('11111111111')).to.equal(false);
    expect(sinValid('046454286')).to.equal(true); // Government of Canada's sample SIN
    expect(sinValid('046454287')).to.equal(false);
    expect(sinValid('846454280')).to.equal(false); // 8xx: business numbers
    expect(dniValid('12345678', 'Z')).to.equal(true);
    expect(dniValid('12345678', 'A')).to.equal(false);
    expect(nieValid('X', '4815162', 'C')).to.equal(true);
    expect(nieValid('Y', '4815162', 'C')).to.equal(false);
  });

  const positives: Array<[string, string, string]> = [
    ['BR_CPF', 'Meu CPF é 529.982.247-25, pode emitir a nota?', '529.982.247-25'],
    ['BR_CPF', '{"nome": "Ana", "cpf": "52998224725"}', '52998224725'],
    ['BR_CPF', 'cliente 529.982.247-25 pagou', '529.982.247-25'],
    ['CA_SIN', 'My SIN is 046 454 286, I need it for the T4.', '046 454 286'],
    ['CA_SIN', 'Social Insurance Number: 046-454-286', '046-454-286'],
    ['CA_SIN', "Numéro d'assurance sociale (NAS) : 046454286", '046454286'],
    ['CA_SIN', 'id,name,sin\n1,Marc,046 454 286\n', '046 454 286'],
    ['ES_NIF', 'Mi DNI es 48151623-L, gracias.', '48151623-L'],
    ['ES_NIF', 'NIF del cliente: 48151623L', '48151623L'],
    ['ES_NIF', 'factura a 48151623L', '48151623L'],
    ['ES_NIE', 'NIE: X4815162C (permiso de residencia)', 'X4815162C'],
    ['ES_NIE', 'Tengo NIE Y-2883443-Q', 'Y-2883443-Q'],
  ];
  for (const [type, text, value] of positives) it(`${type}: ${value}`, () => expectFound(text, value, type));

  const negatives: Array<[string, string]> = [
    ['CPF with a wrong check digit', 'CPF: 529.982.247-26'],
    ['CPF of repeated digits', 'CPF 111.111.111-11'],
    ['eleven digits without the word CPF', 'order 52998224725 shipped'],
    ['SIN without its name', 'Order 046 454 286 shipped today'],
    ['SIN with a bad Luhn digit', 'SIN: 046 454 287'],
    ['DNI with a wrong letter', 'DNI 48151623B'],
    ['example DNI 12345678Z (a counting run)', 'DNI de ejemplo: 12345678Z'],
    ['NIE with a wrong letter', 'NIE X4815162D'],
  ];
  for (const [why, text] of negatives) it(`not: ${why}`, () => expect(scan(text).filter((f) => ['BR_CPF', 'CA_SIN', 'ES_NIF', 'ES_NIE'].includes(f.type))).to.deep.equal([]));
});

describe('firewall PII look-alikes', () => {
  it('an invalid IBAN is not read as a phone number', () => {
    expectNothing('The IBAN DE89 3704 0044 0532 0130 01 fails validation.');
    expectNothing('{"field":"iban","value":"ES78 0265 7926 3093 1620 8225"}');
  });
  it('a digit group continuing a longer number or an identifier is not a phone', () => {
    expectNothing('Serial 0123 4567 8901 2345');
    expectNothing('Ticket SR-0412 345 678 escalated');
  });
  it('published test cards are findings on their own, not in test/docs context', () => {
    expectFound('my card is 4242 4242 4242 4242, exp 11/27', '4242 4242 4242 4242', 'CREDIT_CARD');
    expectNothing('Use 4242 4242 4242 4242 with any future expiry date to test Stripe payments.');
    expectNothing('For sandbox testing use card number 5555 5555 5555 4444 and CVC 123.');
  });
  it('the registry example IBAN in an example context is not a finding', () => {
    expectFound('IBAN: DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX', 'DE89 3704 0044 0532 0130 00', 'IBAN_CODE');
    expectNothing('Test IBAN for the demo: DE89 3704 0044 0532 0130 00');
  });
  it('an email inside URL credentials is not an address', () => {
    expect(scan('ELASTICSEARCH_URL=https://elastic:kzwz93ZIK&2x1E@es01.acme-corp.io:9200').map((f) => f.type)).to.deep.equal(['URL_CREDENTIALS']);
    expectFound('EMAIL:noah_khan94@contoso.com', 'noah_khan94@contoso.com', 'EMAIL_ADDRESS');
  });
  it('arithmetic is not an Aadhaar number', () => expectNothing('compute 1234 5678 9012 + 4321 8765 2109'));
  const phones: Array<[string, string]> = [
    ['Call 0044 20 7946 0958 from abroad.', '0044 20 7946 0958'],
    ['Telefone: (11) 98765-4321', '(11) 98765-4321'],
    ['Teléfono: 612 345 678', '612 345 678'],
    ['Call (+44) 7700 900123 today', '(+44) 7700 900123'],
  ];
  for (const [text, value] of phones) it(`phone: ${value}`, () => expectFound(text, value, 'PHONE_NUMBER'));
});
