/**
 * Realistic HL7 v2 messages as an HIS/RIS sends them. Written one segment per array
 * entry and joined with the standard `\r`; tests re-join with `\n` / `\r\n` as needed.
 */

export const A08 = [
  'MSH|^~\\&|EPIC|GENHOSP|STUDYSYNC|RADIOLOGY|20240315143000||ADT^A08^ADT_A01|MSG00001|P|2.5.1|||AL|NE',
  'EVN|A08|20240315143000|||JSMITH^SMITH^JOHN^^^^^^GENHOSP',
  'PID|1||MRN12345^^^GENHOSP^MR~998877665^^^USSSA^SS||DOE^JANE^Q^^^^L||19800115|F|||123 MAIN ST^APT 4B^SPRINGFIELD^IL^62701^USA^H||^PRN^PH^^1^217^5551234|||M||ACC0001^^^GENHOSP^AN',
  'PV1|1|O|RAD^^^GENHOSP||||1234^WELBY^MARCUS^^^DR^MD|2345^KILDARE^JAMES^^^DR^MD||RAD||||1||||OP|V20240315001^^^GENHOSP^VN|||||||||||||||||||||||||20240315090000',
]

export const A40 = [
  'MSH|^~\\&|EPIC|GENHOSP|STUDYSYNC|RADIOLOGY|20240315150000||ADT^A40^ADT_A39|MSG00002|P|2.5.1',
  'EVN|A40|20240315150000|||JSMITH^SMITH^JOHN',
  'PID|1||MRN12345^^^GENHOSP^MR||DOE^JANE^Q^^^^L||19800115|F',
  'MRG|MRN99999^^^GENHOSP^MR||ACC0002^^^GENHOSP^AN',
]

/** ORM^O01 in v2.3.1: priority and start time in the TQ of ORC-7 / OBR-27. */
export const ORM = [
  'MSH|^~\\&|HIS|GENHOSP|STUDYSYNC|RADIOLOGY|20240316080000||ORM^O01|MSG00003|P|2.3.1',
  'PID|1||MRN12345^^^GENHOSP^MR||DOE^JANE||19800115|F|||123 MAIN ST^^SPRINGFIELD^IL^62701',
  'PV1|1|O|RAD^^^GENHOSP||||1234^WELBY^MARCUS^^^DR|5678^HOUSE^GREGORY^^^DR|||||||||||V20240316007^^^GENHOSP^VN',
  'ORC|NW|PLC1001^HIS|FIL2001^RIS||SC||1^ONCE^^20240317093000^^S||20240316080000|||5678^HOUSE^GREGORY^^^DR',
  'OBR|1|PLC1001^HIS|FIL2001^RIS|71250^CT CHEST W/O CONTRAST^C4||||||||||||5678^HOUSE^GREGORY^^^DR||ACC56365||||||CT|||1^ONCE^^20240317093000^^S',
]

/** OMI^O23 in v2.5.1 (IHE SWF.b): priority and start time in TQ1, IPC per procedure step. */
export const OMI = [
  'MSH|^~\\&|HIS|GENHOSP|STUDYSYNC|RADIOLOGY|20240316081500||OMI^O23^OMI_O23|MSG00004|P|2.5.1',
  'PID|1||MRN54321^^^GENHOSP^MR||SMITH^JOHN^A^^^^L||19750704|M',
  'PV1|1|I|W2^201^1^GENHOSP',
  'ORC|NW|PLC1002^HIS|FIL2002^RIS||SC||||20240316081500|||5678^HOUSE^GREGORY',
  'TQ1|1||||||20240318140000+0100|20240318143000+0100|A',
  'OBR|1|PLC1002^HIS|FIL2002^RIS|RPID4711^MR BRAIN WITH AND WITHOUT CONTRAST^L||||||||||||||ACC56366||||||MR',
  'IPC|ACC56366^GENHOSP|RP4711|1.2.840.113619.2.55.3.604688119.969.1234567890.123|SPS4711|MR',
]

export const join = (segments: readonly string[], separator = '\r') => segments.join(separator)

/** Replaces one field (HL7 numbering; MSH-n counts MSH-1 as the separator). */
export function withField(
  segments: readonly string[],
  name: string,
  field: number,
  value: string,
): string[] {
  return segments.map((segment) => {
    if (!segment.startsWith(`${name}|`)) return segment
    const parts = segment.split('|')
    const index = name === 'MSH' ? field - 1 : field
    while (parts.length <= index) parts.push('')
    parts[index] = value
    return parts.join('|')
  })
}
