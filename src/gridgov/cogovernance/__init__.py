"""Working with others (共建共治, issue 18): the people and bodies who serve the grids beside the agencies
and departments, and what they do there.

- legal professionals in the grids (法律进网格: ZJ§23, JS§22, QZ§17): their grids and schedules, their
  visits, the cases referred to them;
- deliberation (议事协商, ZJ§20): topics, meetings, decisions and the cases or tasks they create;
- mediation (ZJ§17): disputes passed to a mediation station or committee, sessions and outcomes;
- volunteers and informants (ZJ§9, ZJ§23, JM§10): who they are, where they serve, what they report
  through the resident channel;
- special service teams and people's organisations (QZ§16, JS§23), social organisations and their
  service projects (JS§24).

It reuses the territory, staff, cases (every change of a case is an action of the lifecycle), the
register, the public board and the resident channel rather than copying them. Each part writes one
line of the activity ledger (:mod:`.ledger`) for what the analysis counts per grid and month.
"""
