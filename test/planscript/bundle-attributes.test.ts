// The attribute module against HPE's own bundles: each build plan's customAttributes is the union of
// its step scripts' references, with script defaults, and the plan's own types laid over them.
import { beforeAll, describe, expect, it } from 'vitest';
import { attributeProblems, buildPlanAttributes, scriptAttributes, validateAttributeDefinitions } from '../../src/attributes/index.js';
import { loadFixtureBundles, stepScripts, type FixtureBundle } from './fixture-bundles.js';

let bundles: FixtureBundle[];
beforeAll(async () => {
  bundles = await loadFixtureBundles();
});

const byName = <T extends { name: string }>(list: T[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));

describe('fixture bundles', () => {
  it('hold five bundles with build plans', () => {
    expect(bundles).toHaveLength(5);
    expect(bundles.reduce((n, b) => n + b.buildPlans.length, 0)).toBeGreaterThanOrEqual(15);
  });

  it('each build plan\'s attribute names are exactly the union of its step scripts\' references', () => {
    for (const bundle of bundles) {
      for (const plan of bundle.buildPlans) {
        const union = buildPlanAttributes(stepScripts(bundle, plan).map((s) => s.content));
        expect(union.map((a) => a.name).sort(), `${bundle.file}: ${plan.name}`).toEqual(plan.customAttributes.map((a) => a.name).sort());
      }
    }
  });

  it('the union with the plan\'s own entries laid over it equals the plan\'s customAttributes', () => {
    for (const bundle of bundles) {
      for (const plan of bundle.buildPlans) {
        const merged = buildPlanAttributes(stepScripts(bundle, plan).map((s) => s.content), plan.customAttributes);
        expect(byName(merged), `${bundle.file}: ${plan.name}`).toEqual(byName(plan.customAttributes.map((a) => ({ ...a, description: a.description ?? '' }))));
      }
    }
  });

  it('script defaults become the values where the plan does not override them', () => {
    // Known overrides in the bundles (plan value differs from the script default, or the script has none).
    let compared = 0;
    for (const bundle of bundles) {
      for (const plan of bundle.buildPlans) {
        const union = buildPlanAttributes(stepScripts(bundle, plan).map((s) => s.content));
        for (const attribute of union) {
          const planned = plan.customAttributes.find((a) => a.name === attribute.name)!;
          if (attribute.type === 'nic') {
            expect(planned.type, attribute.name).toBe('nic');
            expect([null, '']).toContain(planned.value);
            continue;
          }
          if (attribute.value === '' || (plan.name.startsWith('XenServerMinimum') && attribute.name === 'OS_Type')) continue;
          expect(planned.value, `${plan.name}: ${attribute.name}`).toBe(attribute.value);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(10);
  });

  it('guesses the NIC parameters HPE lists: the sub-fields used, sorted', () => {
    const developer = bundles.find((b) => b.file.startsWith('HPE-ImageStreamer-Developer'))!;
    const script = developer.planScripts.find((s) => s.name.includes('add example messages to log'))!;
    const guessed = scriptAttributes(script.content).filter((a) => a.type === 'nic');
    const plan = developer.buildPlans.find((p) => p.name.includes('example attribute types'))!;
    for (const nic of guessed) {
      const planned = plan.customAttributes.find((a) => a.name === nic.name)!;
      expect(JSON.parse(nic.constraints)).toEqual(JSON.parse(planned.constraints));
    }
    expect(guessed.map((a) => a.name)).toEqual(['ExampleUnteamedNIC', 'ExampleTeamedNIC']);
  });

  it('every bundle build plan\'s attribute definitions and defaults are acceptable', () => {
    for (const bundle of bundles) {
      for (const plan of bundle.buildPlans) {
        expect(() => validateAttributeDefinitions(plan.customAttributes), plan.name).not.toThrow();
        expect(attributeProblems(plan.customAttributes, {})).toEqual([]);
      }
    }
  });
});
