import type { WorkflowDefinition } from './workflows.js';

/**
 * A Mermaid `stateDiagram-v2` of a workflow (GET /workflows/{id}?format=mermaid). Each edge is
 * labelled with its event; an event that needs a signature is marked "(signed)". With
 * `currentState`, that state is highlighted, for showing where a case stands.
 */
export function toMermaid(definition: WorkflowDefinition, currentState?: string): string {
  if (currentState !== undefined && !(currentState in definition.states)) {
    throw new Error(`workflow ${definition.id} has no state '${currentState}'`);
  }
  const lines = [
    'stateDiagram-v2',
    // Mermaid comments keep the identity of the diagram visible in the source.
    `  %% ${definition.id} v${definition.version}: ${definition.title.replace(/[\r\n]+/g, ' ')}`,
    `  [*] --> ${definition.initial}`,
  ];
  for (const state of Object.values(definition.states)) {
    for (const event of state.events) {
      const label = event.signature ? `${event.type} (signed)` : event.type;
      lines.push(`  ${state.name} --> ${event.target}: ${label}`);
    }
    if (state.final) lines.push(`  ${state.name} --> [*]`);
  }
  if (currentState !== undefined) {
    lines.push('  classDef current fill:#fde68a,stroke:#b45309,stroke-width:3px,font-weight:bold');
    lines.push(`  class ${currentState} current`);
  }
  return `${lines.join('\n')}\n`;
}
