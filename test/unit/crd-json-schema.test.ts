import assert from 'node:assert/strict';
import { toCrdJsonSchemas, toStrictJsonSchema } from '../support/chart-tools';

describe('CRD to JSON schema (for kubeconform)', () => {
  it('when an object schema lists properties, then other fields are refused, unless it preserves unknown fields', () => {
    const schema = toStrictJsonSchema({
      type: 'object',
      properties: {
        spec: { type: 'object', properties: { name: { type: 'string' } } },
        metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { name: { type: 'string' } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    });
    assert.equal(schema.additionalProperties, false);
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    assert.equal(properties.spec?.additionalProperties, false);
    assert.equal(properties.metadata?.additionalProperties, undefined);
    assert.deepEqual(properties.labels?.additionalProperties, { type: 'string' }, 'a map schema stays a map');
  });

  it('when a field is int-or-string, then either type is accepted', () => {
    const schema = toStrictJsonSchema({ type: 'object', properties: { port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }], format: 'int-or-string' } } });
    const port = (schema.properties as Record<string, Record<string, unknown>>).port;
    assert.deepEqual(port?.oneOf, [{ type: 'string' }, { type: 'integer' }]);
    assert.equal(port?.format, undefined);
  });

  it('when a CRD file is read, then each served version becomes one schema named by group, kind and version', () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
spec:
  group: keda.sh
  names: { kind: ScaledObject }
  versions:
    - name: v1alpha1
      served: true
      schema: { openAPIV3Schema: { type: object, properties: { spec: { type: object } } } }
    - name: v1alpha0
      served: false
      schema: { openAPIV3Schema: { type: object } }
`;
    const schemas = toCrdJsonSchemas(crd, 'test.yaml');
    assert.deepEqual(schemas.map(({ group, kind, version }) => [group, kind, version]), [['keda.sh', 'ScaledObject', 'v1alpha1']]);
    assert.throws(() => toCrdJsonSchemas('kind: Deployment\n', 'deployment.yaml'), /deployment\.yaml is not a CustomResourceDefinition/);
  });
});
