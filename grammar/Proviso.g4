// Proviso: a policy-as-code language for legal obligations.
// The reference with an example of every construct is docs/language.md.
// This grammar is only used inside compiler/parser; nothing else sees ANTLR.
grammar Proviso;

@lexer::members {
  // A unit of duration ends a word: `6 days` but not `6 daysx` (a number, then the name `daysx`).
  static bool IsUnitEnd(size_t c) {
    return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  }
}

// ---------------------------------------------------------------- files

program     : header? (importDecl | lawSource)* decl* EOF ;

header      : POLICY name=ID headerItem* ;
headerItem  : TITLE STRING                                   # headerTitle
            | DOCUMENT STRING                                # headerDocument
            | lawSource                                      # headerLaw
            | effective                                      # headerEffective
            ;

importDecl  : IMPORT target=STRING ;
// `law "law/circular.law"`: the text of a document the file cites, paragraph by paragraph (the first
// is the default document of every `cite` in the file). A file without a header writes it here.
lawSource   : LAW target=STRING ;

effective   : EFFECTIVE FROM from=DATE (UNTIL until=DATE)? ;

decl        : enumDecl | recordDecl | inputDecl | paramDecl | letDecl | functionDecl
            | tableDecl | outputDecl | ruleDecl | obligationDecl | testDecl | calendarDecl
            | scopeDecl | lawDecl | notEncodedDecl ;

// not encoded "p2", "p5" of "data_security_law_draft" because "the authority's duty, not the entity's"
// Paragraphs of a law that the policy deliberately does not encode, with the reason. `encoded` and
// `because` are plain words checked by the parser.
notEncodedDecl : NOT word=ID STRING (COMMA STRING)* (OF document=STRING)? because=ID reason=STRING ;

// for each transfer in transfers key transfer.id law as of transfer.made_on {
//   output needs_assessment: bool
//   rule ... { ... }
//   obligation ... { ... }
// }
// Lets, outputs, rules and obligations decided for each element of a collection, under the law in
// force on the element's own date.
scopeDecl   : FOR EACH var=ID IN collection=expr scopeClause* LBRACE scopeItem* RBRACE ;
scopeClause : KEY expr                                          # scopeKey
            | LAW AS OF expr                                    # scopeLaw
            ;
scopeItem   : letDecl | outputDecl | ruleDecl | obligationDecl ;
// `law as of E` at the top level: the date whose law decides (params, versions of rules and
// obligations), when it is not the evaluation date.
lawDecl     : LAW AS OF expr ;

// ---------------------------------------------------------------- types

// `interpretation "..."` after the values: categories the text does not state (a scale the policy invents).
enumDecl    : ENUM name=ID LBRACE ID (COMMA ID)* COMMA? RBRACE interpretation? ;
recordDecl  : RECORD name=ID LBRACE fieldDecl* RBRACE ;
inputDecl   : INPUT LBRACE fieldDecl* RBRACE ;
fieldDecl   : name=ident COLON typeRef fieldCheck* (ASSIGN dflt=expr interpretation?)? COMMA? ;
// What a fact must satisfy: `minute: int in 0..1439`, `people: int >= 0`, `name: text != ""`.
// The bounds are constants: a literal, a name, or an expression in parentheses.
fieldCheck  : IN lo=bound DOTDOT hi=bound                       # rangeCheck
            | op=(GE | GT | LE | LT | NE) bound                 # compareCheck
            ;
bound       : MINUS? primary ;

typeRef     : (BOOL_T | INT_T | DECIMAL_T | TEXT_T | DATE_T | DATETIME_T | DURATION_T)  # primType
            | SET LT typeRef GT                                           # setType
            | LIST LT typeRef GT                                          # listType
            | ID                                                          # namedType
            | typeRef QUESTION                                            # optionalType
            ;

// A name in an expression: also the keywords that cannot start an expression, so that an input
// field called `title` or `subject` can be read. The units of a duration are names too: a number
// followed by a unit on the same line is one DURATION token (`6 months`), never a number and a name.
softName    : ID | TITLE | DOCUMENT | SUBJECT | FIRST | UNIQUE | PRIORITY | COLLECT | HIT
            | TO | OF | NO | ERROR | AFTER | DEADLINE | VIOLATED | FROM | UNTIL | EFFECTIVE | PRESENT
            | LIST | CALENDAR | KEY | EACH | LAW | MISSING | EMPTY | FILTER | MAP | INTERPRETATION ;

// Field names may also be words that are keywords elsewhere (`title`, `count`, `subject` ...).
ident       : ID | TITLE | DOCUMENT | SUBJECT | FIRST | DEFAULT | COUNT | SUM | MIN | MAX | ALL
            | ANY | UNIQUE | PRIORITY | COLLECT | HIT | TO | OF | NO | ERROR | AFTER | DEADLINE
            | VIOLATED | FROM | UNTIL | EFFECTIVE | PRESENT | SET | LIST | CALENDAR | WORKING | EVERY
            | BEFORE | NOW | KEY | EACH | LAW | FOR | MISSING | EMPTY | FILTER | MAP | WHERE
            | UNION | INTERSECT | DIFF | INTERPRETATION ;

// ---------------------------------------------------------------- values

paramDecl   : PARAM name=ID COLON typeRef ASSIGN expr effective? citation? interpretation? ;
letDecl     : LET name=ID (COLON typeRef)? ASSIGN expr ;
functionDecl: FUNCTION name=ID LPAREN (paramList)? RPAREN ARROW typeRef ASSIGN expr ;
paramList   : typedName (COMMA typedName)* ;
typedName   : name=ID COLON typeRef ;

// ---------------------------------------------------------------- decision tables
// table level(object: Object, degree: Degree) -> int hit unique {
//   national_security, very_serious => 5
//   _, light => 1
// }
tableDecl   : TABLE name=ID LPAREN paramList RPAREN ARROW typeRef hitPolicy citation? interpretation? LBRACE tableRow* RBRACE ;
// `rule order` and `output order` (DMN's R and O): `order` is a plain word (`RULE word=ID`).
hitPolicy   : HIT (UNIQUE | ANY | FIRST | PRIORITY | COLLECT aggregator=(SUM | MIN | MAX | COUNT)?
                  | RULE order=ID | OUTPUT order=ID) ;
tableRow    : cell (COMMA cell)* FATARROW expr
            | DEFAULT FATARROW expr ;
cell        : UNDERSCORE                                      # anyCell
            | op=(LT | LE | GT | GE | NE) expr                # compareCell
            | lo=expr DOTDOT hi=expr                          # rangeCell
            | LBRACE expr (COMMA expr)* RBRACE                # oneOfCell
            | expr                                            # equalCell
            ;

// ---------------------------------------------------------------- working-day calendars
// calendar cn_official {
//   weekend saturday, sunday
//   years 2020..2026
//   source 2020 "General Office of the State Council, ..."
//   holiday 2020-01-24..2020-02-02 "Spring Festival"
//   working 2020-01-19 "adjusted working day"
// }
// The item words other than `working` are names checked by the parser (they are not keywords).
calendarDecl : CALENDAR name=ID LBRACE calendarItem* RBRACE ;
calendarItem : key=ID ID (COMMA ID)*                                 # calWords
             | key=ID INT DOTDOT INT                                 # calYears
             | key=ID INT STRING                                     # calSource
             | (key=ID | WORKING) DATE (DOTDOT DATE)? STRING?        # calDays
             ;

// ---------------------------------------------------------------- outputs, rules, obligations

// `output x: T required`: an undetermined value (facts not given) is an error, not a decision.
outputDecl  : OUTPUT name=ID COLON typeRef (word=ID)? ;

// rule deny_judicial exception to permit_export priority 1 {
//   when request.overseas_law_enforcement and not request.approved
//   then export = deny
//   cite "Art. 36"
// }
ruleDecl    : RULE name=ID exceptionTo? priority? LBRACE ruleItem* RBRACE ;
ruleItem    : WHEN expr                                        # ruleWhen
            | THEN target=ID ASSIGN expr                       # ruleThen
            | effective                                        # ruleEffective
            | citation                                         # ruleCite
            | interpretation                                   # ruleInterpretation
            ;
exceptionTo : EXCEPTION TO ID (COMMA ID)* ;
priority    : PRIORITY INT ;
citation    : CITE article=STRING (OF document=STRING)? ;
// `interpretation "REASON"`: the text is silent (or open) and the policy decides anyway; the reason
// says how the text is read. Shown in explanations and counted by `proviso coverage --law`.
interpretation : INTERPRETATION reason=STRING ;

// obligation keep_records {
//   subject "call-center operator"
//   must "keep call records for at least the minimum retention period"
//   when operates_call_center
//   deadline min_retention after call.ended_on
//   violated when call.kept_for < min_retention
//   cite "para. 4"
// }
// Deadlines: `deadline E` (a date or date-time; a text is an open standard, with `overdue when`),
// `deadline D after E`, `deadline every D from E` (recurring), `not before E` (the window's start),
// `retain until E` / `retain for D after E` (retention); `done at E` and `deleted at E` are when
// the act was done and when what is kept was deleted.
obligationDecl : OBLIGATION name=ID exceptionTo? priority? LBRACE obligationItem* RBRACE ;
obligationItem : SUBJECT STRING                                 # obSubject
               | modality STRING                                # obAction
               | WHEN expr                                      # obWhen
               | DEADLINE EVERY expr FROM expr                  # obRecurring
               | DEADLINE expr (AFTER expr)?                    # obDeadline
               | NOT BEFORE expr                                # obNotBefore
               // `retain`, `done`, `deleted` and `overdue` are not keywords (they are common names):
               // the parser checks the word.
               | word=ID UNTIL expr                             # obRetainUntil
               | word=ID FOR expr AFTER expr                    # obRetainFor
               | word=ID at=ID expr                             # obAt
               | word=ID WHEN expr                              # obOverdue
               | VIOLATED WHEN expr                             # obViolated
               | effective                                      # obEffective
               | citation                                       # obCite
               | interpretation                                 # obInterpretation
               ;
modality    : MUST NOT? | MAY ;

// ---------------------------------------------------------------- tests

// test "29 days of retention is a violation" {
//   as of 2020-09-01
//   given call.kept_for = 29 days
//   set min_retention = 30 days
//   expect obligation keep_records violated
// }
testDecl    : TEST name=STRING LBRACE testItem* RBRACE ;
testItem    : AS OF (DATE | DATETIME)                           # testAsOf
            | GIVEN fieldPath ASSIGN expr                            # testGiven
            | SET name=ID ASSIGN expr                           # testSet
            | EXPECT name=ID forItem? ASSIGN expr               # testExpectValue
            // `expect late undetermined missing incident.reported_on`
            | EXPECT name=ID forItem? state=ID missingFacts?    # testExpectState
            | EXPECT NO OBLIGATION name=ID forItem?             # testExpectNoObligation
            // `expect undetermined obligation notify missing incident.found_on`
            | EXPECT state=ID? OBLIGATION name=ID forItem? obligationCheck* missingFacts?  # testExpectObligation
            | EXPECT ERROR STRING?                              # testExpectError
            ;
// `violated undetermined`: whether it is violated depends on facts not given.
obligationCheck : NOT? VIOLATED (state=ID)?                     # checkViolated
                | DEADLINE expr                                 # checkDeadline
                | status=ID                                     # checkStatus
                ;
fieldPath   : softName (DOT ident)* ;
// The facts an undetermined result is waiting for, exactly (a list's element fields without `[]`).
missingFacts : MISSING fieldPath (COMMA fieldPath)* ;
// `for "T-1"`: the element of a `for each` with this key (or index, when it has no key).
forItem     : FOR expr ;

// ---------------------------------------------------------------- expressions
// Precedence, loosest first: if/match/quantifiers, or, and, not, comparison and membership,
// ??, `N working days after E`, + - union minus, * / intersect, unary -, postfix (field access,
// `is present`, `is empty`), primary.

expr        : primary                                                     # primaryExpr
            | expr DOT ident                                                 # fieldExpr
            | expr IS NOT? PRESENT                                        # presentExpr
            | expr IS NOT? EMPTY                                          # emptyExpr
            | MINUS expr                                                  # negExpr
            | expr op=(STAR | SLASH) expr                                 # mulExpr
            | expr INTERSECT expr                                         # intersectExpr
            | expr op=(PLUS | MINUS) expr                                 # addExpr
            | expr op=(UNION | DIFF) expr                                 # setOpExpr
            | expr WORKING unit=ID (OF cal=ID)? dir=(AFTER | BEFORE) expr   # workingDaysExpr
            | expr QQ expr                                                # coalesceExpr
            | expr op=(LT | LE | GT | GE | EQ | NE) expr                  # compareExpr
            | expr NOT? IN expr                                           # inExpr
            | NOT expr                                                    # notExpr
            | expr AND expr                                               # andExpr
            | expr OR expr                                                # orExpr
            | IF expr THEN expr ELSE expr                                 # ifExpr
            // `sum a in activities where a.kind == cloud: a.fee`; `count a in xs where COND`;
            // `filter a in xs where COND` (or `: COND`) and `map a in xs [where COND]: VALUE` make a
            // list (a set, over a set).
            | quant=(ANY | ALL | COUNT | SUM | MIN | MAX | FILTER | MAP) ID IN expr
              (WHERE where=expr)? (COLON body=expr)?                       # quantExpr
            ;

primary     : INT                                                         # intLit
            | DECIMAL                                                     # decimalLit
            | STRING                                                      # textLit
            | DATE                                                        # dateLit
            | DATETIME                                                    # dateTimeLit
            | DURATION                                                    # durationLit
            | (TRUE | FALSE)                                              # boolLit
            | NONE                                                        # noneLit
            | AS_OF                                                       # asOfLit
            | NOW                                                         # nowLit
            | name=ID LPAREN (expr (COMMA expr)*)? RPAREN                 # callExpr
            | (MIN | MAX | COUNT | SUM | DATE_T | DATETIME_T) LPAREN expr (COMMA expr)* RPAREN  # builtinCallExpr
            // `late of t`: the value of `late`, decided in a `for each` over the collection, for
            // the element t (an element of that collection, e.g. a quantifier's variable).
            | name=softName OF elem=primary                               # itemOfExpr
            | softName                                                    # nameExpr
            | LBRACKET (expr (COMMA expr)*)? RBRACKET                     # listLit
            | LBRACE RBRACE                                               # emptySetLit
            | LBRACE expr (COMMA expr)* RBRACE                            # setLit
            | LBRACE recordField (COMMA recordField)* COMMA? RBRACE       # recordLit
            | MATCH expr LBRACE matchArm+ RBRACE                          # matchExpr
            | LPAREN expr RPAREN                                          # parenExpr
            ;
recordField : ident COLON expr ;
// `none` matches an absent value of an optional enum; the other arms see it present.
matchArm    : (UNDERSCORE | matchPattern (PIPE matchPattern)*) FATARROW expr COMMA? ;
matchPattern: ID | NONE ;

// ---------------------------------------------------------------- lexer

POLICY : 'policy' ; TITLE : 'title' ; DOCUMENT : 'document' ; IMPORT : 'import' ;
EFFECTIVE : 'effective' ; FROM : 'from' ; UNTIL : 'until' ;
ENUM : 'enum' ; RECORD : 'record' ; INPUT : 'input' ; PARAM : 'param' ; LET : 'let' ;
FUNCTION : 'function' ; TABLE : 'table' ; HIT : 'hit' ; UNIQUE : 'unique' ; ANY : 'any' ;
FIRST : 'first' ; PRIORITY : 'priority' ; COLLECT : 'collect' ; SUM : 'sum' ; MIN : 'min' ;
MAX : 'max' ; COUNT : 'count' ; ALL : 'all' ; DEFAULT : 'default' ; OUTPUT : 'output' ;
RULE : 'rule' ; WHEN : 'when' ; THEN : 'then' ; ELSE : 'else' ; IF : 'if' ;
EXCEPTION : 'exception' ; TO : 'to' ; CITE : 'cite' ; INTERPRETATION : 'interpretation' ; OF : 'of' ;
OBLIGATION : 'obligation' ; SUBJECT : 'subject' ; MUST : 'must' ; MAY : 'may' ;
DEADLINE : 'deadline' ; AFTER : 'after' ; VIOLATED : 'violated' ;
TEST : 'test' ; AS_OF : 'as_of' ; AS : 'as' ; GIVEN : 'given' ; SET : 'set' ; EXPECT : 'expect' ;
NO : 'no' ; ERROR : 'error' ; LIST : 'list' ;
CALENDAR : 'calendar' ; WORKING : 'working' ; BEFORE : 'before' ; EVERY : 'every' ;
FOR : 'for' ; NOW : 'now' ; EACH : 'each' ; KEY : 'key' ; LAW : 'law' ; MISSING : 'missing' ;
WHERE : 'where' ; FILTER : 'filter' ; MAP : 'map' ; UNION : 'union' ; INTERSECT : 'intersect' ;
DIFF : 'minus' ; EMPTY : 'empty' ;
BOOL_T : 'bool' ; INT_T : 'int' ; DECIMAL_T : 'decimal' ; TEXT_T : 'text' ; DATE_T : 'date' ;
DATETIME_T : 'datetime' ; DURATION_T : 'duration' ;
AND : 'and' ; OR : 'or' ; NOT : 'not' ; IN : 'in' ; IS : 'is' ; PRESENT : 'present' ;
MATCH : 'match' ; TRUE : 'true' ; FALSE : 'false' ; NONE : 'none' ;

LBRACE : '{' ; RBRACE : '}' ; LPAREN : '(' ; RPAREN : ')' ; LBRACKET : '[' ; RBRACKET : ']' ;
COMMA : ',' ; COLON : ':' ; DOTDOT : '..' ; DOT : '.' ; FATARROW : '=>' ; ARROW : '->' ;
EQ : '==' ; NE : '!=' ; LE : '<=' ; GE : '>=' ; LT : '<' ; GT : '>' ; ASSIGN : '=' ;
PLUS : '+' ; MINUS : '-' ; STAR : '*' ; SLASH : '/' ; QQ : '??' ; QUESTION : '?' ;
PIPE : '|' ; UNDERSCORE : '_' ;

// An instant: a date, `T`, a time of day and `Z` or an offset from UTC (normalised to UTC).
DATETIME: DATE_F [Tt] D2 ':' D2 (':' D2 ('.' [0-9]+)?)? ([Zz] | [+-] D2 ':' D2) ;
DATE    : DATE_F ;
// A number and its unit on one line are one token, so that a unit word is never read as a name
// after a number (`=> 6 months` ending a table row) and is a name anywhere else (`r.months`).
DURATION: DIGITS [ \t]+ UNIT { IsUnitEnd(_input->LA(1)) }? ;
// Digits may be grouped with underscores: 1_000_000.
DECIMAL : DIGITS '.' DIGITS ;
INT     : DIGITS ;
fragment DIGITS : [0-9] ('_'? [0-9])* ;
fragment DATE_F : [0-9][0-9][0-9][0-9] '-' [0-9][0-9] '-' [0-9][0-9] ;
fragment D2     : [0-9][0-9] ;
fragment UNIT   : 'second' 's'? | 'minute' 's'? | 'hour' 's'? | 'day' 's'? | 'week' 's'? | 'month' 's'?
                | 'year' 's'? ;
ID      : [a-zA-Z_][a-zA-Z0-9_]* ;
STRING  : '"' ( ~["\\\r\n] | '\\' ["\\nt] )* '"' ;

// `///` comments are documentation: they carry the text of the law beside the declaration
// that follows them (kept on their own channel, read by the parser, shown by `explain`).
DOC_COMMENT : '///' ~[\r\n]* -> channel(2) ;
// Other comments are on a channel of their own, which the parser never reads: `proviso fmt` keeps them.
LINE_COMMENT: '//' ~[\r\n]* -> channel(3) ;
BLOCK_COMMENT: '/*' .*? '*/' -> channel(3) ;
WS      : [ \t\r\n]+ -> skip ;
// Anything else is one bad character: the parser reports it with its position.
BAD_CHAR : . ;
