/**
 * Azure built-in roles Keepwatch's Bicep may assign: role name → role definition GUID (the same in every tenant).
 * Source: Microsoft's built-in roles list, learn.microsoft.com/azure/role-based-access-control/built-in-roles
 * (checked 2026-11-21; the storage ids also in the azd Flex Consumption template's infra/app/rbac.bicep). A role
 * missing here makes the role-GUID check fail: add it with its exact name from that list, never a GUID copied from
 * elsewhere.
 */
export const KNOWN_BUILT_IN_ROLES: Readonly<Record<string, string>> = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Azure Event Hubs Data Receiver': 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde',
  'Azure Event Hubs Data Sender': '2b629674-e913-4c01-ae53-ef4638d8f975',
  'EventGrid Data Sender': 'd5a91429-5739-47e2-a06b-3470a27159e7',
  // Event Grid MQTT RBAC for Entra ID clients (learn.microsoft.com/azure/event-grid/mqtt-client-microsoft-entra-token-and-rbac);
  // GUIDs as in Azure Verified Modules' avm/res/event-grid/namespace builtInRoleNames (checked 2026-11-22).
  'EventGrid TopicSpaces Publisher': 'a12b0b94-b317-4dcd-84a8-502ce99884c6',
  'EventGrid TopicSpaces Subscriber': '4b0f2fd7-60b4-4eca-896f-4435034f8bf5',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
};
