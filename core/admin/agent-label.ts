import { labelPartProblem } from '../../lib/agent-label.ts';
import { ValidationError } from '../errors.ts';
import type { AgentLabel } from '../runtime/model.ts';

export { MAX_AGENT_LABEL } from '../../lib/agent-label.ts';

function part(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ValidationError(`${field} must be a string`, { field });
  const text = value.trim();
  if (!text) return undefined;
  const problem = labelPartProblem(text);
  if (problem) throw new ValidationError(`${field} ${problem}`, { field });
  return text.normalize('NFC');
}

/**
 * Who signs an operator's reply, from the request (GraphQL `agentName`/`agentRole`, REST
 * `agent_name`/`agent_role`): trimmed, 1 to 40 characters each, readable as typed (lib/agent-label.ts,
 * the rule the machine signs with); none given is undefined (the user sees "Operador"). A role needs a
 * name.
 */
export function agentLabelOf(
  name: unknown,
  role: unknown,
  fields: { name: string; role: string } = { name: 'agent_name', role: 'agent_role' },
): AgentLabel | undefined {
  const agentName = part(name, fields.name);
  const agentRole = part(role, fields.role);
  if (!agentName) {
    if (agentRole) throw new ValidationError(`${fields.role} needs ${fields.name}`, { field: fields.role });
    return undefined;
  }
  return agentRole ? { name: agentName, role: agentRole } : { name: agentName };
}
