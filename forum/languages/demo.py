"""The demo draft in French and Spanish (issue 14): the secretariat's translations of the draft
conclusions, imported aligned paragraph by paragraph, brought up to date after the two adoptions of
the morning, and the translations of three circulated amendments (one still lacks its Spanish
version, so the demo shows what "missing" looks like).

Same structure as forum/drafting/demo.py's PREAMBLE and PARTS: the preamble, three parts, fifteen
paragraphs, paragraphs 4 and 14 with three lettered items each.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum.drafting import drafts, queries
from forum.drafting.importing import ParsedDraft, ParsedParagraph, ParsedPart
from forum.drafting.models import ADOPTED, Amendment, AmendmentKind, Draft
from forum.extensions import db
from forum.languages import services

TEXTS: dict[str, dict[str, Any]] = {
    "fr": {
        "preamble": "Le Forum tripartite mondial sur les migrations de main-d'œuvre, s'étant réuni à Genève, ayant "
                    "examiné la contribution des migrations de main-d'œuvre au développement, leur place dans la "
                    "planification du développement, les migrations irrégulières, ainsi que les partenariats entre "
                    "pays et avec les partenaires sociaux, adopte les conclusions suivantes :",
        "parts": (
            ("Migrations de main-d'œuvre et développement", (
                ("Les travailleurs migrants contribuent aux économies et aux sociétés des pays d'origine comme des "
                 "pays de destination, par leur travail, leurs compétences et les ressources qu'ils envoient chez "
                 "eux.", ()),
                ("Cette contribution est la plus grande lorsque les migrations s'effectuent par des voies "
                 "régulières, dans des conditions de travail décent et dans le plein respect des droits des "
                 "travailleurs migrants.", ()),
                ("Les envois de fonds sont des fonds privés ; les politiques devraient réduire le coût de leur "
                 "envoi, sans les considérer comme un substitut à l'investissement public dans le développement.",
                 ()),
                ("Les gouvernements, en consultation avec les organisations d'employeurs et de travailleurs, "
                 "devraient :", (
                     "recueillir et partager des données fiables sur les migrations de main-d'œuvre, ventilées par "
                     "sexe et par secteur ;",
                     "évaluer les besoins du marché du travail à tous les niveaux de qualification avant d'ouvrir ou "
                     "de fermer des voies de migration ;",
                     "reconnaître les compétences et les qualifications que les travailleurs migrants acquièrent à "
                     "l'étranger lorsqu'ils rentrent.")),
                ("Les politiques de retour et de réintégration devraient aider les travailleurs migrants à mettre "
                 "leur expérience au service de leur pays d'origine.", ()),
            )),
            ("Les migrations de main-d'œuvre dans la planification du développement", (
                ("Les migrations de main-d'œuvre devraient être prises en compte dans les politiques nationales de "
                 "l'emploi et les plans de développement, plutôt que d'être traitées uniquement comme une question "
                 "de gestion des frontières.", ()),
                ("Les ministères du travail devraient participer à l'élaboration de la politique migratoire aux "
                 "côtés des autres ministères.", ()),
                ("Les organisations d'employeurs et de travailleurs devraient être consultées sur la politique "
                 "migratoire à chaque étape, de sa conception à son évaluation.", ()),
                ("Les accords bilatéraux sur les migrations de main-d'œuvre devraient être conformes aux normes "
                 "internationales du travail et faire l'objet d'une évaluation conjointe par les mandants "
                 "tripartites des pays concernés.", ()),
                ("Le recrutement équitable est essentiel : aucune commission de recrutement ni aucuns frais connexes "
                 "ne devraient être mis à la charge des travailleurs migrants, et les agences de recrutement "
                 "devraient être réglementées et contrôlées.", ()),
            )),
            ("Migrations irrégulières, partenariats et coopération", (
                ("Les migrations irrégulières exposent les travailleurs migrants aux abus et faussent la concurrence "
                 "loyale entre les entreprises ; la réponse la plus efficace consiste à élargir les voies "
                 "régulières adaptées aux besoins du marché du travail.", ()),
                ("Les travailleurs migrants en situation irrégulière conservent leurs droits fondamentaux au "
                 "travail, y compris le droit au salaire pour le travail accompli.", ()),
                ("Les communautés économiques régionales devraient coordonner les régimes de sécurité sociale afin "
                 "que les travailleurs migrants conservent les prestations qu'ils ont acquises.", ()),
                ("Le Bureau devrait :", (
                    "renforcer sa coopération avec le Forum mondial sur la migration et le développement et le "
                    "Groupe mondial sur la migration ;",
                    "aider les mandants à appliquer le Cadre multilatéral de l'OIT pour les migrations de "
                    "main-d'œuvre ;",
                    "faire rapport au Conseil d'administration sur la suite donnée aux présentes conclusions.")),
                ("Le Forum devrait se réunir périodiquement pour faire le point des progrès accomplis et permettre "
                 "aux gouvernements, aux employeurs et aux travailleurs d'échanger leurs expériences.", ()),
            )),
        ),
        # The texts as amended in the morning's sitting (paragraphs 3 and 8).
        "amended": {
            "3": "Les envois de fonds sont des fonds privés ; les politiques devraient ramener le coût de leur envoi "
                 "au-dessous de 3 pour cent du montant envoyé, sans les considérer comme un substitut à "
                 "l'investissement public dans le développement.",
            "8": "Les organisations d'employeurs et de travailleurs devraient être consultées, et leurs avis pris en "
                 "compte, à chaque étape de la politique migratoire, de sa conception à son évaluation.",
        },
        "explanations": {
            "3": "Un objectif mesurable, comme dans le Programme de développement durable à l'horizon 2030.",
            "8": "La consultation devrait avoir une incidence sur le résultat.",
            "12bis": "Une séparation entre l'inspection du travail et le contrôle de l'immigration protège tous les "
                     "travailleurs.",
        },
        "inserted": "Les services d'inspection du travail devraient pouvoir faire respecter le droit du travail à "
                    "l'égard de tous les travailleurs sans être tenus d'appliquer la législation sur l'immigration.",
    },
    "es": {
        "preamble": "El Foro Tripartito Mundial sobre Migración Laboral, reunido en Ginebra, habiendo examinado la "
                    "contribución de la migración laboral al desarrollo, su lugar en la planificación del "
                    "desarrollo, la migración irregular y las alianzas entre países y con los interlocutores "
                    "sociales, adopta las conclusiones siguientes:",
        "parts": (
            ("Migración laboral y desarrollo", (
                ("Los trabajadores migrantes contribuyen a las economías y sociedades tanto de los países de origen "
                 "como de los países de destino, mediante su trabajo, sus competencias y los recursos que envían a "
                 "sus hogares.", ()),
                ("Esa contribución es mayor cuando la migración se produce por cauces regulares, en condiciones de "
                 "trabajo decente y con pleno respeto de los derechos de los trabajadores migrantes.", ()),
                ("Las remesas son fondos privados; las políticas deberían reducir el costo de su envío, sin "
                 "considerarlas un sustituto de la inversión pública en el desarrollo.", ()),
                ("Los gobiernos, en consulta con las organizaciones de empleadores y de trabajadores, deberían:", (
                    "recopilar y compartir datos fiables sobre la migración laboral, desglosados por sexo y por "
                    "sector;",
                    "evaluar las necesidades del mercado de trabajo en todos los niveles de calificación antes de "
                    "abrir o cerrar cauces de migración;",
                    "reconocer las competencias y calificaciones que los trabajadores migrantes adquieren en el "
                    "extranjero cuando regresan.")),
                ("Las políticas de retorno y reintegración deberían ayudar a los trabajadores migrantes a "
                 "aprovechar su experiencia en sus países de origen.", ()),
            )),
            ("La migración laboral en la planificación del desarrollo", (
                ("La migración laboral debería abordarse en las políticas nacionales de empleo y en los planes de "
                 "desarrollo, en lugar de tratarse únicamente como una cuestión de gestión de fronteras.", ()),
                ("Los ministerios de trabajo deberían participar en la formulación de la política migratoria junto "
                 "con otros ministerios.", ()),
                ("Las organizaciones de empleadores y de trabajadores deberían ser consultadas sobre la política "
                 "migratoria en todas sus etapas, desde su formulación hasta su evaluación.", ()),
                ("Los acuerdos bilaterales sobre migración laboral deberían ajustarse a las normas internacionales "
                 "del trabajo y ser evaluados conjuntamente por los mandantes tripartitos de los países "
                 "interesados.", ()),
                ("La contratación equitativa es fundamental: no deberían cobrarse a los trabajadores migrantes "
                 "comisiones de contratación ni gastos conexos, y las agencias de contratación deberían estar "
                 "reguladas y supervisadas.", ()),
            )),
            ("Migración irregular, alianzas y cooperación", (
                ("La migración irregular expone a los trabajadores migrantes a abusos y socava la competencia leal "
                 "entre las empresas; la respuesta más eficaz es ampliar los cauces regulares que respondan a las "
                 "necesidades del mercado de trabajo.", ()),
                ("Los trabajadores migrantes en situación irregular conservan sus derechos fundamentales en el "
                 "trabajo, incluido el salario por el trabajo realizado.", ()),
                ("Las comunidades económicas regionales deberían coordinar los sistemas de seguridad social para que "
                 "los trabajadores migrantes conserven las prestaciones que han adquirido.", ()),
                ("La Oficina debería:", (
                    "reforzar su cooperación con el Foro Mundial sobre Migración y Desarrollo y el Grupo Mundial "
                    "sobre Migración;",
                    "prestar apoyo a los mandantes en la aplicación del Marco multilateral de la OIT para las "
                    "migraciones laborales;",
                    "informar al Consejo de Administración sobre el curso dado a las presentes conclusiones.")),
                ("El Foro debería reunirse periódicamente para examinar los progresos realizados y permitir que los "
                 "gobiernos, los empleadores y los trabajadores intercambien experiencias.", ()),
            )),
        ),
        "amended": {
            "3": "Las remesas son fondos privados; las políticas deberían situar el costo de su envío por debajo del "
                 "3 por ciento del monto enviado, sin considerarlas un sustituto de la inversión pública en el "
                 "desarrollo.",
            "8": "Las organizaciones de empleadores y de trabajadores deberían ser consultadas, y sus opiniones "
                 "tenidas en cuenta, en todas las etapas de la política migratoria, desde su formulación hasta su "
                 "evaluación.",
        },
        "explanations": {
            "3": "Una meta cuantificable, como en la Agenda 2030 para el Desarrollo Sostenible.",
            "8": "La consulta debería influir en el resultado.",
        },
    },
}


def structure(language: str) -> ParsedDraft:
    data = TEXTS[language]
    return ParsedDraft(preamble=data["preamble"], parts=[
        ParsedPart(title, [ParsedParagraph(text, list(items)) for text, items in paragraphs])
        for title, paragraphs in data["parts"]])


def load_translations(secretariat: Any, draft: Draft) -> None:
    """Right after the import, before anything is amended: the French and Spanish versions."""
    for language in ("fr", "es"):
        services.import_translation(secretariat, draft, language=language, parsed=structure(language))


def after_the_sitting(secretariat: Any, draft: Draft) -> None:
    """The secretariat brings paragraphs 3 and 8 up to date after their amendments were adopted, and
    translates the amendments adopted (both languages) and the proposed new paragraph (French only)."""
    paragraphs = {p.label: p for p in db.session.scalars(queries.paragraphs_of_draft(draft.id))}
    for language in ("fr", "es"):
        for label, text in TEXTS[language]["amended"].items():
            drafts.set_translation(secretariat, paragraphs[label], language=language, text=text)
    amendments = list(db.session.scalars(sa.select(Amendment).where(Amendment.draft_id == draft.id,
                                                                    Amendment.parent_id.is_(None))))
    by_id = {p.id: p.label for p in paragraphs.values()}
    for a in amendments:
        label = by_id.get(a.paragraph_id)
        if a.state in ADOPTED and label in ("3", "8"):
            for language in ("fr", "es"):
                services.set_amendment_translation(secretariat, a, language=language,
                                                   text=TEXTS[language]["amended"][label],
                                                   explanation=TEXTS[language]["explanations"][label])
        elif a.kind is AmendmentKind.insert_after and label == "12":
            services.set_amendment_translation(secretariat, a, language="fr", text=TEXTS["fr"]["inserted"],
                                               explanation=TEXTS["fr"]["explanations"]["12bis"])
