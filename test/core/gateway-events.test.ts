import { expect } from 'chai';
import { createGatewayEvents, type GatewayEvent } from '../../core/events/event-bus.js';

describe('gateway events', () => {
  it('reach every subscriber with an id and a time, until it unsubscribes', () => {
    const errors: string[] = [];
    const events = createGatewayEvents((type, err) => errors.push(`${type}: ${err.message}`));
    const a: GatewayEvent[] = [];
    const b: GatewayEvent[] = [];
    const stopA = events.subscribe((e) => a.push(e));
    events.subscribe((e) => b.push(e));
    const sent = events.emit('budget.warning', { scope: 'key', percent: 80 });
    stopA();
    events.emit('budget.exhausted', { scope: 'key', percent: 100 });
    expect(a.map((e) => e.type)).to.deep.equal(['budget.warning']);
    expect(b.map((e) => e.type)).to.deep.equal(['budget.warning', 'budget.exhausted']);
    expect(a[0]).to.equal(sent);
    expect(sent.id).to.match(/^[0-9a-f-]{36}$/);
    expect(Date.parse(sent.time)).to.be.closeTo(Date.now(), 5000);
    expect(errors).to.deep.equal([]);
  });

  it('a listener that throws neither stops the others nor the emitter', () => {
    const errors: string[] = [];
    const events = createGatewayEvents((type, err) => errors.push(`${type}: ${err.message}`));
    const seen: string[] = [];
    events.subscribe(() => { throw new Error('boom'); });
    events.subscribe((e) => seen.push(e.type));
    expect(() => events.emit('x.y', {})).not.to.throw();
    expect(seen).to.deep.equal(['x.y']);
    expect(errors).to.deep.equal(['x.y: boom']);
  });
});
