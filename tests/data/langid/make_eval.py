"""One-off generator of tests/data/langid/eval.jsonl (kept for provenance; not run by tests).

Sources: the Arabic seeds in examples/seeds/, 200 Fars News articles in ../shared/realdata/farsnews
(Persian; truth 'fa' for all; many written with Arabic code points), and sentences written by hand
below. Run from the repository root:  python tests/data/langid/make_eval.py
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SEEDS = os.path.join(ROOT, "examples", "seeds")
FARS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "realdata", "farsnews")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "eval.jsonl")

ARABIC = [
    "أعلنت وزارة الصحة اليوم عن تسجيل انخفاض ملحوظ في عدد الإصابات الجديدة، ودعت المواطنين إلى الالتزام بالإجراءات الوقائية حتى نهاية الشهر الجاري.",
    "قال رئيس الوزراء في مؤتمر صحفي عقده في العاصمة إن الحكومة ستواصل العمل على تحسين الأوضاع المعيشية للمواطنين وخفض معدلات البطالة.",
    "ارتفعت أسعار النفط في الأسواق العالمية بنسبة ثلاثة في المئة بعد إعلان منظمة أوبك خفض الإنتاج خلال الأشهر المقبلة.",
    "افتتح وزير التربية والتعليم عدداً من المدارس الجديدة في المحافظة، مؤكداً أن التعليم يبقى أولوية وطنية لا يمكن التهاون فيها.",
    "شهدت المدينة أمس أمطاراً غزيرة أدت إلى إغلاق عدد من الطرق الرئيسية، فيما حذرت الأرصاد الجوية من استمرار الحالة الجوية حتى يوم الجمعة.",
    "فاز المنتخب الوطني على نظيره بهدفين مقابل هدف واحد في المباراة التي أقيمت مساء أمس ضمن تصفيات كأس العالم.",
    "وأضاف المتحدث أن المفاوضات ما زالت مستمرة وأن الطرفين اتفقا على عقد جولة جديدة من المحادثات في الأسبوع المقبل.",
    "يعاني سكان القرى النائية من نقص حاد في مياه الشرب، وطالبوا الجهات المعنية بالتدخل العاجل لحل هذه المشكلة التي تتفاقم كل صيف.",
    "أكدت الشركة في بيان لها أنها ستطلق منتجاتها الجديدة في الأسواق العربية مطلع العام المقبل بأسعار تنافسية.",
    "كان الجو جميلاً في ذلك الصباح، فخرجنا إلى الحديقة وجلسنا تحت الشجرة الكبيرة نقرأ ونتحدث حتى الظهر.",
    "تعتبر اللغة العربية من أكثر اللغات انتشاراً في العالم، ويتحدث بها أكثر من أربعمئة مليون شخص.",
    "وأشار التقرير إلى أن معدل التضخم بلغ مستوى قياسياً خلال الربع الأخير من العام، وهو ما انعكس على أسعار المواد الغذائية.",
    "استقبل رئيس الجمهورية وفداً رفيع المستوى من الدول الشقيقة، وبحث معه سبل تعزيز التعاون الاقتصادي والتجاري بين البلدين.",
    "من جهته، دعا الأمين العام للأمم المتحدة جميع الأطراف إلى ضبط النفس والعودة إلى طاولة الحوار من أجل التوصل إلى حل سياسي.",
    "هل تعلم أن النحل يستطيع التعرف على الوجوه البشرية؟ هذا ما توصلت إليه دراسة علمية حديثة نشرت في مجلة متخصصة.",
    # Arabic typed with Persian keyboard code points (ی U+06CC, ک U+06A9): still Arabic
    "قال وزیر الخارجیة إن المباحثات کانت مثمرة وإن البلدین اتفقا علی مواصلة التعاون فی جمیع المجالات.",
    "وأکد المتحدث باسم الحکومة أن الإجراءات الجدیدة ستدخل حیز التنفیذ اعتباراً من الشهر المقبل.",
]

PERSIAN = [
    "سازمان هواشناسی اعلام کرد که از فردا بارش باران در بیشتر مناطق کشور آغاز می‌شود و دمای هوا کاهش می‌یابد.",
    "وزیر آموزش و پرورش گفت: برنامه‌ریزی برای بازگشایی مدارس انجام شده است و دانش‌آموزان از اول مهر به کلاس‌ها بازمی‌گردند.",
    "قیمت طلا و سکه در بازار امروز تهران با کاهش همراه بود و کارشناسان پیش‌بینی می‌کنند این روند ادامه داشته باشد.",
    "من دیروز با دوستانم به کوه رفتیم و هوا آن‌قدر سرد بود که زود برگشتیم.",
    # the same kind of sentences written with Arabic code points (ي U+064A, ك U+0643), as in older Persian web text
    "سازمان هواشناسي اعلام كرد كه از فردا بارش باران در بيشتر مناطق كشور آغاز مي‌شود و دماي هوا كاهش مي‌يابد.",
    "وزير آموزش و پرورش گفت: برنامه‌ريزي براي بازگشايي مدارس انجام شده است و دانش‌آموزان از اول مهر به كلاس‌ها بازمي‌گردند.",
    "قيمت طلا و سكه در بازار امروز تهران با كاهش همراه بود و كارشناسان پيش‌بيني مي‌كنند اين روند ادامه داشته باشد.",
    "من ديروز با دوستانم به كوه رفتيم و هوا آن‌قدر سرد بود كه زود برگشتيم.",
]

URDU = [
    "پاکستان کے وزیر اعظم نے آج اسلام آباد میں ایک اہم اجلاس کی صدارت کی جس میں ملک کی معاشی صورتحال پر تفصیلی غور کیا گیا۔",
    "محکمہ موسمیات کے مطابق آئندہ چوبیس گھنٹوں کے دوران ملک کے بیشتر علاقوں میں موسم گرم اور خشک رہے گا، جبکہ بالائی علاقوں میں بارش کا امکان ہے۔",
    "کراچی میں پولیس نے ایک کارروائی کے دوران تین مشتبہ افراد کو گرفتار کر لیا اور ان کے قبضے سے اسلحہ برآمد کیا گیا۔",
    "وفاقی حکومت نے اعلان کیا ہے کہ سرکاری ملازمین کی تنخواہوں میں اگلے مالی سال سے دس فیصد اضافہ کیا جائے گا۔",
    "لاہور ہائی کورٹ نے درخواست کی سماعت کے بعد فیصلہ محفوظ کر لیا، جو آئندہ ہفتے سنایا جائے گا۔",
    "پاکستان کرکٹ ٹیم نے تیسرے ایک روزہ میچ میں نیوزی لینڈ کو سات وکٹوں سے شکست دے کر سیریز اپنے نام کر لی۔",
    "ماہرین کا کہنا ہے کہ پانی کی کمی آنے والے برسوں میں ملک کے لیے سب سے بڑا چیلنج بن سکتی ہے، اس لیے فوری اقدامات کی ضرورت ہے۔",
    "وزیر تعلیم نے کہا کہ سکولوں میں بچوں کی تعداد بڑھانے کے لیے نئی پالیسی تیار کی جا رہی ہے۔",
    "شہر میں ٹریفک کے مسائل کم کرنے کے لیے نئی سڑکیں اور پل تعمیر کیے جائیں گے، جن پر کام اگلے ماہ شروع ہوگا۔",
    "اسٹیٹ بینک آف پاکستان نے شرح سود میں کوئی تبدیلی نہ کرنے کا فیصلہ کیا ہے اور اسے بائیس فیصد پر برقرار رکھا ہے۔",
    "ہسپتال کے ترجمان نے بتایا کہ زخمیوں کو طبی امداد دی جا رہی ہے اور ان میں سے دو کی حالت تشویشناک ہے۔",
    "انہوں نے کہا کہ ہم اپنے عوام کے ساتھ کھڑے ہیں اور ان کے حقوق کے تحفظ کے لیے ہر ممکن قدم اٹھائیں گے۔",
    "اردو پاکستان کی قومی زبان ہے اور اسے ملک بھر میں بولا اور سمجھا جاتا ہے۔",
    "کسانوں کا کہنا ہے کہ کھاد کی قیمتوں میں اضافے سے گندم کی پیداوار متاثر ہو سکتی ہے۔",
    "الیکشن کمیشن نے عام انتخابات کے شیڈول کا اعلان کر دیا ہے اور امیدوار اگلے ہفتے سے کاغذات نامزدگی جمع کرا سکیں گے۔",
    "بجلی کے بلوں میں اضافے کے خلاف مختلف شہروں میں احتجاجی مظاہرے کیے گئے۔",
    "یہ کتاب بچوں کے لیے لکھی گئی ہے لیکن بڑے بھی اسے شوق سے پڑھتے ہیں۔",
    "میرے دوست نے مجھے بتایا کہ وہ کل صبح لاہور جا رہا ہے اور ایک ہفتے بعد واپس آئے گا۔",
    "سیلاب سے متاثرہ علاقوں میں امدادی سرگرمیاں جاری ہیں اور ہزاروں خاندانوں کو محفوظ مقامات پر منتقل کر دیا گیا ہے۔",
    "چین اور پاکستان کے درمیان تجارتی تعلقات کو مزید مضبوط بنانے کے لیے متعدد معاہدوں پر دستخط کیے گئے۔",
]

ENGLISH = [
    "The government announced on Tuesday that it would increase spending on public hospitals by ten percent next year, following months of pressure from health workers.",
    "Heavy rain caused flooding across several northern towns overnight, forcing hundreds of residents to leave their homes and closing major roads.",
    "Oil prices rose sharply after the producers' group agreed to extend its output cuts until the end of the year, analysts said.",
    "The national team won the match two goals to one, securing a place in the final for the first time in twenty years.",
    "Scientists have discovered that honeybees can recognise human faces, according to a study published this week in a leading journal.",
    "The foreign minister said the talks had been constructive and that both sides agreed to meet again next month to continue the discussions.",
    "Police arrested three suspects after a raid on a warehouse where they found a large quantity of weapons and ammunition.",
    "Inflation reached a record high in the last quarter, pushing up the price of bread, rice and cooking oil across the country.",
    "I went for a walk in the park this morning and the weather was so lovely that I stayed out until lunch.",
    "The company said in a statement that it plans to launch its new products in Middle Eastern markets early next year.",
    "Thousands of people gathered in the capital to protest against rising electricity bills and the cost of living.",
    "The central bank left interest rates unchanged on Thursday, saying it wanted to see more evidence that inflation was slowing.",
    "A spokesman for the hospital said the injured were receiving treatment and that two of them were in a critical condition.",
    "The United Nations Secretary-General called on all parties to exercise restraint and return to the negotiating table.",
    "Farmers warn that higher fertiliser prices could reduce this year's wheat harvest and drive food prices even higher.",
    "Election officials published the schedule for the general election, and candidates may file their papers from next week.",
    "This book was written for children, but adults read it with just as much pleasure.",
    "Russian Foreign Minister Sergei Lavrov said on Friday that Moscow expected a serious written response to its proposals on security guarantees.",
]

FRENCH = [
    "Le gouvernement a annoncé mardi une hausse de dix pour cent des dépenses consacrées aux hôpitaux publics l'année prochaine, après des mois de pression des soignants.",
    "De fortes pluies ont provoqué des inondations dans plusieurs villes du nord pendant la nuit, obligeant des centaines d'habitants à quitter leur domicile.",
    "Les prix du pétrole ont fortement augmenté après l'accord des pays producteurs pour prolonger la réduction de leur production jusqu'à la fin de l'année.",
    "L'équipe nationale a remporté le match deux buts à un et s'est qualifiée pour la finale pour la première fois depuis vingt ans.",
    "Des chercheurs ont découvert que les abeilles sont capables de reconnaître les visages humains, selon une étude publiée cette semaine.",
    "Le ministre des Affaires étrangères a déclaré que les discussions avaient été constructives et que les deux parties se retrouveraient le mois prochain.",
    "La police a interpellé trois suspects lors d'une perquisition dans un entrepôt où une grande quantité d'armes a été découverte.",
    "L'inflation a atteint un niveau record au dernier trimestre, ce qui a fait grimper le prix du pain, du riz et de l'huile.",
    "Ce matin, je me suis promené dans le parc et il faisait si beau que je suis resté dehors jusqu'au déjeuner.",
    "L'entreprise a indiqué dans un communiqué qu'elle lancerait ses nouveaux produits sur les marchés du Moyen-Orient au début de l'année prochaine.",
    "Des milliers de personnes se sont rassemblées dans la capitale pour protester contre la hausse des factures d'électricité.",
    "La banque centrale a maintenu ses taux d'intérêt inchangés jeudi, estimant qu'il fallait davantage de signes d'un ralentissement de l'inflation.",
    "Selon le porte-parole de l'hôpital, les blessés reçoivent des soins et deux d'entre eux sont dans un état critique.",
    "Le secrétaire général des Nations unies a appelé toutes les parties à faire preuve de retenue et à revenir à la table des négociations.",
    "Les agriculteurs craignent que la hausse du prix des engrais ne réduise la récolte de blé cette année.",
    "Ce livre a été écrit pour les enfants, mais les adultes le lisent avec autant de plaisir.",
    "Le chef de la diplomatie russe, Sergueï Lavrov, a affirmé vendredi que Moscou attendait une réponse écrite sérieuse à ses propositions.",
]

SHORT = [  # <= 40 characters, at least three words
    ("الطقس جميل جداً اليوم", "ar"), ("وزير الخارجية يزور موسكو", "ar"), ("ارتفاع أسعار النفط عالمياً", "ar"),
    ("قال الرئيس إن الحكومة ستعمل", "ar"), ("مرحبا بكم في موقعنا الجديد", "ar"), ("اجتماع مجلس الأمن الدولي اليوم", "ar"),
    ("لافروف: الوجود الأمريكي غير شرعي", "ar"), ("انخفاض عدد الإصابات الجديدة", "ar"),
    ("امروز هوا خیلی خوب است.", "fa"), ("رئیس جمهور به تهران بازگشت", "fa"), ("قیمت دلار امروز کاهش یافت", "fa"),
    ("من به دانشگاه می‌روم", "fa"), ("این کتاب را خواندی؟", "fa"),
    ("رئيس جمهور به تهران بازگشت", "fa"), ("قيمت دلار امروز كاهش يافت", "fa"), ("اين كتاب را خواندي؟", "fa"),
    ("امروز هوا خيلي خوب است", "fa"), ("مي‌خواهم به خانه بروم", "fa"),
    ("آج موسم بہت اچھا ہے۔", "ur"), ("میں گھر جا رہا ہوں", "ur"), ("وزیر اعظم کا قوم سے خطاب", "ur"),
    ("کراچی میں بارش کا امکان", "ur"), ("یہ میری کتاب ہے", "ur"), ("پاکستان نے میچ جیت لیا", "ur"),
    ("The weather is nice today.", "en"), ("Breaking news: markets fall", "en"), ("The minister visits Moscow", "en"),
    ("Click here to read more", "en"), ("All rights reserved.", "en"), ("Where is the train station?", "en"),
    ("Il fait beau aujourd'hui.", "fr"), ("Le ministre est arrivé à Paris", "fr"),
    ("Les prix du pétrole augmentent", "fr"), ("Bonjour à tous et bienvenue", "fr"),
    ("Lire la suite de l'article", "fr"), ("Tous droits réservés.", "fr"), ("Où est la gare, s'il vous plaît ?", "fr"),
]

MIXED = [  # majority language is the truth
    ("أعلنت شركة Apple عن إطلاق هاتف iPhone 15 الجديد في مؤتمر صحفي عقد في كاليفورنيا بحضور الرئيس التنفيذي Tim Cook.", "ar"),
    ("قال المتحدث باسم وزارة الخارجية الأمريكية Ned Price إن واشنطن تتابع الوضع عن كثب، وفقاً لما نقلته وكالة Reuters.", "ar"),
    ("وقال لافروف في مقابلة مع شبكة قنوات RT الروسية إن الحوار مع NATO لم يحقق أي نتائج ملموسة حتى الآن.", "ar"),
    ("أعلن نادي Real Madrid تعاقده مع اللاعب Kylian Mbappé لمدة خمس سنوات، في صفقة وصفت بأنها الأهم هذا الصيف.", "ar"),
    ("نشر الموقع تقريراً بعنوان \"The Future of Energy\" يتناول مستقبل الطاقة المتجددة في منطقة الشرق الأوسط وشمال أفريقيا.", "ar"),
    ("المصدر: وكالة سانا https://www.sana.sy/?p=1234567 تاريخ النشر 2022-02-18 الساعة 14:35 بتوقيت دمشق", "ar"),
    ("ارتفع مؤشر S&P 500 بنسبة 1.2% وأغلق مؤشر Nasdaq مرتفعاً 2.1% في ختام تعاملات يوم الجمعة في بورصة نيويورك.", "ar"),
    ("أكد وزير الخارجية الروسي سيرغي لافروف أن المباحثات مع الولايات المتحدة ستبدأ قريباً.\nShare this: Facebook Twitter WhatsApp Telegram Email", "ar"),
    ("شرکت Microsoft اعلام کرد که نسخه جدید Windows در ماه آینده منتشر می‌شود و کاربران می‌توانند آن را رایگان دریافت کنند.", "fa"),
    ("به گزارش خبرگزاری فارس به نقل از Reuters، قيمت نفت برنت امروز به 85 دلار در هر بشكه رسيد.", "fa"),
    ("تيم ملي فوتبال ايران در ديدار با Portugal با نتيجه دو بر يك شكست خورد و از جام جهاني حذف شد.", "fa"),
    ("وزیر اعظم نے Twitter پر اپنے پیغام میں کہا کہ حکومت IMF کے ساتھ مذاکرات جاری رکھے گی۔", "ur"),
    ("پاکستان کرکٹ بورڈ نے Babar Azam کو ایک بار پھر ٹیم کا کپتان مقرر کر دیا ہے۔", "ur"),
    ("The minister said the talks were productive. He added in Arabic, «المفاوضات كانت مثمرة», before leaving for the airport with his delegation.", "en"),
    ("Protesters in Cairo chanted \"الشعب يريد\" as they marched towards the square, according to witnesses who spoke to our correspondent.", "en"),
    ("The Persian word for book is «کتاب» and it is pronounced ketab; the word was borrowed from Arabic centuries ago.", "en"),
    ("Le président Emmanuel Macron a reçu à l'Élysée le roi Mohammed VI, selon un communiqué publié par le palais.", "fr"),
    ("Le slogan « الشعب يريد » a été repris par des milliers de manifestants dans les rues de Tunis ce vendredi.", "fr"),
    ("Breaking: Le Monde reports that the French government will present its budget on Wednesday, the Prime Minister said in an interview with the BBC.", "en"),
    ("Lavrov: «Nous attendons une réponse écrite» — le ministre russe a réitéré vendredi ses demandes sur les garanties de sécurité en Europe.", "fr"),
]

UND = ["", "   \n\t ", "12345 67890", "2022-02-18 14:35:00", "+1 (555) 010-9999", "https://example.com/a/b?c=1",
       "!!! ??? ... ---", "١٢٣٤٥ ٦٧٨٩٠", "۱۴۰۱/۰۵/۲۳", "3.14159 2.71828 1.41421", "#1 | #2 | #3", "🙂🙂🙂"]


def main():
    rows = []
    add = lambda text, lang, kind: rows.append({"text": text, "language": lang, "kind": kind})

    # Arabic: paragraphs (>= 150 chars) of the seeds, up to 1,500 chars each, plus hand-written sentences
    paras = []
    for name in sorted(os.listdir(SEEDS)):
        with open(os.path.join(SEEDS, name), encoding="utf-8") as fh:
            for p in fh.read().split("\n"):
                p = p.strip()
                if len(p) >= 150 and p not in paras:
                    paras.append(p[:1500])
    for p in paras[::2][:25]:
        add(p, "ar", "arabic")
    for s in ARABIC:
        add(s, "ar", "arabic")

    # Persian: Fars News articles, first 1,500 chars; 45 written with Arabic code points, 15 with Persian ones
    arab_cp, pers_cp = [], []
    for name in sorted(os.listdir(FARS)):
        with open(os.path.join(FARS, name), encoding="utf-8") as fh:
            t = fh.read()
        a = t.count("\u0643") + t.count("\u064a")
        p = t.count("\u06a9") + t.count("\u06cc")
        (arab_cp if a > p else pers_cp).append(t)
    for t in arab_cp[:45]:
        add(t[:1500], "fa", "persian_arabic_cp")
    for t in pers_cp[:15]:
        add(t[:1500], "fa", "persian")
    for s in PERSIAN:
        add(s, "fa", "persian_arabic_cp" if "\u064a" in s or "\u0643" in s else "persian")

    # snippets: word-aligned windows of about 30, 60 or 120 characters taken from the middle of
    # the Persian articles not used above and of the Arabic seed paragraphs not used above
    # (short, real text is where detectors disagree)
    def window(t, i):
        words = t.split()
        start = len(words) // 3
        size = (30, 60, 120)[i % 3]
        out = ""
        for w in words[start:]:
            if len(out) >= size:
                break
            out += w + " "
        return out.strip()

    for i, t in enumerate(arab_cp[45:85]):
        add(window(t, i), "fa", "snippet")
    for i, t in enumerate(pers_cp[15:35]):
        add(window(t, i), "fa", "snippet")
    for i, p in enumerate(paras[1::2][:15]):
        add(window(p, i), "ar", "snippet")

    for s in URDU:
        add(s, "ur", "urdu")
    add(" ".join(URDU[0:4]), "ur", "urdu")
    add(" ".join(URDU[4:9]), "ur", "urdu")
    add(" ".join(URDU[9:14]), "ur", "urdu")
    add(" ".join(URDU[14:20]), "ur", "urdu")
    for s in ENGLISH:
        add(s, "en", "english")
    add(" ".join(ENGLISH[:6]), "en", "english")
    add(" ".join(ENGLISH[6:12]), "en", "english")
    for s in FRENCH:
        add(s, "fr", "french")
    add(" ".join(FRENCH[:6]), "fr", "french")
    add(" ".join(FRENCH[6:12]), "fr", "french")
    for s, lang in SHORT:
        assert len(s) <= 40, s
        add(s, lang, "short")
    for s, lang in MIXED:
        add(s, lang, "mixed")
    for s in UND:
        add(s, "und", "und")

    with open(OUT, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    import collections
    print(len(rows), dict(collections.Counter(r["kind"] for r in rows)), os.path.getsize(OUT))


if __name__ == "__main__":
    main()
