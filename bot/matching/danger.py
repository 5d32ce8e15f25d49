"""Recognises messages that signal immediate danger or suicide risk, in any of the four languages.

Deliberately broad: a false alarm costs a worker one extra screen, a miss can cost a life. The
patterns run on folded text (no accents, no punctuation) so typos in accents do not matter.
"""

from __future__ import annotations

import re

from bot.matching.normalise import fold

_PATTERNS: dict[str, str] = {
    "en": r"""
        suicid\w* | kill(ing)?\s(him|her|them|my|your)sel(f|ves) | kill\smyself
        | end(ing)?\s(his|her|their|my|your)\s(own\s)?life | take\s(his|her|their|my)\sown\slife
        | wants?\sto\sdie | want\sto\sdie | overdos\w* | (took|taken|swallowed)\s(a\slot\sof|too\smany|many|all\s(her|his|the))\s(pills|tablets|meds)
        | knife | knives | gun | firearm | weapon | stabb\w* | strangl\w* | chok(ing|ed)\s(her|him|them)
        | (hitting|beating|attacking|punching|kicking)\s(her|him|them|me) | (hitting|beating|attacking|punching|kicking|strangling|choking|stabbing)\s(\w+\s){0,5}(right\s)?now | (to|will|going\sto|gonna|coming\sto|want\sto|wants\sto)\skill\s(her|him|them|me|you|us) | (child|kid|baby|girl|boy)\s(is\s)?locked\s(in|up) | locked\s(in|up)\s(\w+\s){0,3}(won\st|will\snot|refuses)
        | (is|are|am|getting)\s(being\s)?(beaten|hit|attacked|raped|strangled)\s(up\s)?(right\s)?now | (is|are|am)\sbeing\s(beaten|hit|attacked|raped|strangled) | threat\w*\sto\skill | going\sto\skill | will\skill
        | bleeding | unconscious | not\sbreathing | in\s(immediate\s)?danger | life\sis\sat\srisk
        | hanging\sh(im|er)sel(f) | jump\s(off|from)\s(a|the)\s(bridge|window|roof|balcony) | (will|going\sto|gonna|wants\sto|threaten\w*\sto|about\sto)\sjump | on\sthe\s(roof|ledge)
    """,
    "fr": r"""
        suicid\w* | (se|me|te)\s(tuer|suicider) | mettre\sfin\sa\s(ses|mes|tes)\sjours | en\sfinir\savec\sla\svie
        | (veut|veux|envie\sde)\smourir | overdose | surdose | (avale|pris)\s(beaucoup\sde|trop\sde|des|tous\sses)\s(medicaments|cachets|pilules|comprimes)
        | couteau | arme | (la|le|les|me|te|nous|vous)\stuer | avale\w*\s(\w+\s){0,4}(medicaments|cachets|pilules|comprimes) | (va|veut|vais|veux)\ssauter | bord\sdu\s(toit|pont) | (frappe|bat|tabasse|etrangle)\s(\w+\s){0,6}(en\sce\smoment|maintenant) | enferme\w*\s(\w+\s){0,9}(refuse|ne\s\w+\spas) | pistolet | poignard\w* | etrangl\w*
        | (la|le|les|me)\s(frappe|bat|tabasse)\s(maintenant|en\sce\smoment|la|ici|devant) | (est|sont)\sen\strain\sde\s(la|le|les|me)\s(frapper|battre)
        | menac\w*\sde\s(la|le|les|me|te|nous)?\s?tuer | va\s(la|le|les|me|te)\stuer | saigne | inconscient\w* | ne\srespire\splus
        | en\sdanger | danger\simmediat | (menace|veut|va)\sde\ssauter | menace\sde\sse\sjeter | avale\splein\sde | sur\sle\s(toit|rebord) | sa\svie\sest\sen\sjeu | se\sjeter\s(du|d\sun|par\sla)
    """,
    "nl": r"""
        zelfmoord\w* | suicid\w* | zelfdoding | zichzelf\s(van\shet\sleven\sberoven|doden|iets\saandoen|ophangen)
        | (wil|wilt)\s(dood|sterven|niet\smeer\sleven) | einde\saan\s(zijn|haar|mijn|hun)\sleven
        | overdosis | (veel|te\sveel|al\szijn|al\shaar)\s(pillen|medicijnen|tabletten)
        | (een|met|het|zijn|haar|zijn)\smes | messen | wapen | pistool | neergestoken | gewurgd | wurg\w*
        | (slaat|schopt)\s(haar|hem|mij|ze)\s(nu|op\sdit\smoment|hier|daar) | (is|zijn)\s(haar|hem|mij|ze)\saan\shet\s(slaan|schoppen|wurgen) | wordt\s(geslagen|aangevallen|bedreigd|verkracht)
        | (dreigt|bedreigt)\w*\s.*\s?(dood|vermoorden) | vermoord\w* | bloedt | bewusteloos | ademt\sniet
        | in\s(acuut\s)?gevaar | levensgevaar\w* | dood\s(wil|wilt|willen) | (slaat|schopt|wurgt)\s(\w+\s){0,4}(op\sdit\smoment|nu|hier) | opgesloten\s(\w+\s){0,9}(laat\sniemand|weigert) | (hem|haar|hen|mij|jou)\s(\w+\s)?(vermoorden|doodmaken|doden) | (gaat|wil|dreigt\ste)\sspringen | op\shet\sdak | (pillen|medicijnen|tabletten|strip)\s(\w+\s)?(geslikt|ingenomen)
    """,
    "pt": r"""
        suicid\w* | (matar|mata)\sse | se\s(quer\s|vai\s)?matar | quer\smatar\sse | tirar\sa\s(propria\s)?vida | por\sfim\sa\svida
        | (quer|quero)\smorrer | overdose | (tomou|engoliu)\s(muitos|imensos|todos\sos)\s(comprimidos|medicamentos)
        | (uma|com|de|a)\sfaca | armas? | pistola | esfaque\w* | estrangul\w*
        | (esta|estao)\sa\s(bater|agredir)\s | (bate|espanca)\s(nela|nele|na|no|me) | espancad\w*
        | ameac\w*\s(de\s)?mat\w* | (vai|vao)\s(a|o|me|te|nos)\smatar | (a|o|me|te|nos|os|as)\s(vai|vao)\smatar | (vai|quer)\s(se\s)?atirar | atirar\sse | no\stelhado | sangr(a|ar|ando)\b | inconsciente | nao\s(esta\sa\s)?respira
        | em\sperigo | perigo\simediato | risco\sde\svida | mata\s(la|lo|las|los|me) | (tomou|engoliu)\s(\w+\s){0,3}(comprimidos|medicamentos|pilulas) | (vai|quer|ameaca)\s(se\s)?(saltar|atirar) | beira\sdo\s(telhado|predio|ponte) | fechad[ao]\s(\w+\s){0,9}(nao\sdeixa|recusa) | (bater|espancar|estrangular)\s(\w+\s){0,4}(agora|neste\smomento)
    """,
}
_DANGER = re.compile(r"\b(" + "|".join(f"(?:{p})" for p in _PATTERNS.values()) + r")\b", re.VERBOSE)
# "suicide prevention" as an organisational topic is not, by itself, a person at risk.
_PREVENTION_ONLY = re.compile(
    r"\b(suicide\sprevention|preven\w*\s(du\s|de\s|do\s|van\s|of\s)?(suicid\w*|zelfmoord\w*|zelfdoding)"
    r"|zelfmoordpreventie|(zelfmoord|suicide)\s?(lijn|line|ligne|linha|hotline|number|nummer|numero))\b"
)


def signals_danger(text: str) -> bool:
    folded = fold(text)
    hits = [m.group(0) for m in _DANGER.finditer(folded)]
    if not hits:
        return False
    if _PREVENTION_ONLY.search(folded):
        remainder = _PREVENTION_ONLY.sub(" ", folded)
        return bool(_DANGER.search(remainder))
    return True
