// Proviso: a policy-as-code language for legal obligations.
// The reference with an example of every construct is docs/language.md.
// This grammar is only used inside compiler/parser; nothing else sees ANTLR.
grammar Proviso;

// ---------------------------------------------------------------- files

program     : header? importDecl* decl* EOF ;

header      : POLICY name=ID headerItem* ;
headerItem  : TITLE STRING                                   # headerTitle
            | DOCUMENT STRING                                # headerDocument
            | effective                                      # headerEffective
            ;

importDecl  : IMPORT target=STRING ;

effective   : EFFECTIVE FROM from=DATE (UNTIL until=DATE)? ;

decl        : enumDecl | recordDecl | inputDecl | paramDecl | letDecl | functionDecl
            | tableDecl | outputDecl | ruleDecl | obligationDecl | testDecl ;

// ---------------------------------------------------------------- types

enumDecl    : ENUM name=ID LBRACE ID (COMMA ID)* COMMA? RBRACE ;
recordDecl  : RECORD name=ID LBRACE fieldDecl* RBRACE ;
inputDecl   : INPUT LBRACE fieldDecl* RBRACE ;
fieldDecl   : name=ident COLON typeRef (ASSIGN dflt=expr)? COMMA? ;

typeRef     : (BOOL_T | INT_T | DECIMAL_T | TEXT_T | DATE_T | DURATION_T)    # primType
            | SET LT typeRef GT                                           # setType
            | LIST LT typeRef GT                                          # listType
            | ID                                                          # namedType
            | typeRef QUESTION                                            # optionalType
            ;

// A name in an expression: also the keywords that cannot start an expression, so that an input
// field called `title` or `subject` can be read. Not the units of a duration: `6 months` ending a
// table row would also read as a result `6` and a next row beginning `months < 5`.
softName    : ID | TITLE | DOCUMENT | SUBJECT | FIRST | UNIQUE | PRIORITY | COLLECT | HIT
            | TO | OF | NO | ERROR | AFTER | DEADLINE | VIOLATED | FROM | UNTIL | EFFECTIVE | PRESENT
            | LIST ;

// Field names may also be words that are keywords elsewhere (`title`, `count`, `subject` ...).
ident       : ID | TITLE | DOCUMENT | SUBJECT | FIRST | DEFAULT | COUNT | SUM | MIN | MAX | ALL
            | ANY | UNIQUE | PRIORITY | COLLECT | HIT | TO | OF | NO | ERROR | AFTER | DEADLINE
            | VIOLATED | FROM | UNTIL | EFFECTIVE | PRESENT | SET | LIST | DAY | DAYS | WEEK
            | WEEKS | MONTH | MONTHS | YEAR | YEARS ;

// ---------------------------------------------------------------- values

paramDecl   : PARAM name=ID COLON typeRef ASSIGN expr effective? citation? ;
letDecl     : LET name=ID (COLON typeRef)? ASSIGN expr ;
functionDecl: FUNCTION name=ID LPAREN (paramList)? RPAREN ARROW typeRef ASSIGN expr ;
paramList   : typedName (COMMA typedName)* ;
typedName   : name=ID COLON typeRef ;

// ---------------------------------------------------------------- decision tables
// table level(object: Object, degree: Degree) -> int hit unique {
//   national_security, very_serious => 5
//   _, light => 1
// }
tableDecl   : TABLE name=ID LPAREN paramList RPAREN ARROW typeRef hitPolicy citation? LBRACE tableRow* RBRACE ;
hitPolicy   : HIT (UNIQUE | ANY | FIRST | PRIORITY | COLLECT aggregator=(SUM | MIN | MAX | COUNT)?) ;
tableRow    : cell (COMMA cell)* FATARROW expr
            | DEFAULT FATARROW expr ;
cell        : UNDERSCORE                                      # anyCell
            | op=(LT | LE | GT | GE | NE) expr                # compareCell
            | lo=expr DOTDOT hi=expr                          # rangeCell
            | LBRACE expr (COMMA expr)* RBRACE                # oneOfCell
            | expr                                            # equalCell
            ;

// ---------------------------------------------------------------- outputs, rules, obligations

outputDecl  : OUTPUT name=ID COLON typeRef ;

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
            ;
exceptionTo : EXCEPTION TO target=ID ;
priority    : PRIORITY INT ;
citation    : CITE article=STRING (OF document=STRING)? ;

// obligation keep_records {
//   subject "call-center operator"
//   must "keep call records for at least the minimum retention period"
//   when operates_call_center
//   deadline min_retention after call.ended_on
//   violated when call.kept_for < min_retention
//   cite "para. 4"
// }
obligationDecl : OBLIGATION name=ID exceptionTo? priority? LBRACE obligationItem* RBRACE ;
obligationItem : SUBJECT STRING                                 # obSubject
               | modality STRING                                # obAction
               | WHEN expr                                      # obWhen
               | DEADLINE expr (AFTER expr)?                    # obDeadline
               | VIOLATED WHEN expr                             # obViolated
               | effective                                      # obEffective
               | citation                                       # obCite
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
testItem    : AS OF DATE                                        # testAsOf
            | GIVEN fieldPath ASSIGN expr                            # testGiven
            | SET name=ID ASSIGN expr                           # testSet
            | EXPECT name=ID ASSIGN expr                        # testExpectValue
            | EXPECT NO OBLIGATION name=ID                      # testExpectNoObligation
            | EXPECT OBLIGATION name=ID obligationCheck*        # testExpectObligation
            | EXPECT ERROR STRING?                              # testExpectError
            ;
obligationCheck : NOT? VIOLATED                                 # checkViolated
                | DEADLINE expr                                 # checkDeadline
                ;
fieldPath   : softName (DOT ident)* ;

// ---------------------------------------------------------------- expressions
// Precedence, loosest first: if/match/quantifiers, or, and, not, comparison and membership,
// ??, + -, * /, unary -, postfix (field access, `is present`), primary.

expr        : primary                                                     # primaryExpr
            | expr DOT ident                                                 # fieldExpr
            | expr IS NOT? PRESENT                                        # presentExpr
            | MINUS expr                                                  # negExpr
            | expr op=(STAR | SLASH) expr                                 # mulExpr
            | expr op=(PLUS | MINUS) expr                                 # addExpr
            | expr QQ expr                                                # coalesceExpr
            | expr op=(LT | LE | GT | GE | EQ | NE) expr                  # compareExpr
            | expr NOT? IN expr                                           # inExpr
            | NOT expr                                                    # notExpr
            | expr AND expr                                               # andExpr
            | expr OR expr                                                # orExpr
            | IF expr THEN expr ELSE expr                                 # ifExpr
            | quant=(ANY | ALL | COUNT | SUM | MIN | MAX) ID IN expr COLON expr  # quantExpr
            ;

primary     : INT                                                         # intLit
            | DECIMAL                                                     # decimalLit
            | STRING                                                      # textLit
            | DATE                                                        # dateLit
            | INT unit=(DAY | DAYS | WEEK | WEEKS | MONTH | MONTHS | YEAR | YEARS)  # durationLit
            | (TRUE | FALSE)                                              # boolLit
            | NONE                                                        # noneLit
            | AS_OF                                                       # asOfLit
            | name=ID LPAREN (expr (COMMA expr)*)? RPAREN                 # callExpr
            | (MIN | MAX | COUNT | SUM | YEAR | MONTH | DAY | DAYS) LPAREN expr (COMMA expr)* RPAREN  # builtinCallExpr
            | softName                                                    # nameExpr
            | LBRACKET (expr (COMMA expr)*)? RBRACKET                     # listLit
            | LBRACE RBRACE                                               # emptySetLit
            | LBRACE expr (COMMA expr)* RBRACE                            # setLit
            | LBRACE recordField (COMMA recordField)* COMMA? RBRACE       # recordLit
            | MATCH expr LBRACE matchArm+ RBRACE                          # matchExpr
            | LPAREN expr RPAREN                                          # parenExpr
            ;
recordField : ident COLON expr ;
matchArm    : (UNDERSCORE | ID (PIPE ID)*) FATARROW expr COMMA? ;

// ---------------------------------------------------------------- lexer

POLICY : 'policy' ; TITLE : 'title' ; DOCUMENT : 'document' ; IMPORT : 'import' ;
EFFECTIVE : 'effective' ; FROM : 'from' ; UNTIL : 'until' ;
ENUM : 'enum' ; RECORD : 'record' ; INPUT : 'input' ; PARAM : 'param' ; LET : 'let' ;
FUNCTION : 'function' ; TABLE : 'table' ; HIT : 'hit' ; UNIQUE : 'unique' ; ANY : 'any' ;
FIRST : 'first' ; PRIORITY : 'priority' ; COLLECT : 'collect' ; SUM : 'sum' ; MIN : 'min' ;
MAX : 'max' ; COUNT : 'count' ; ALL : 'all' ; DEFAULT : 'default' ; OUTPUT : 'output' ;
RULE : 'rule' ; WHEN : 'when' ; THEN : 'then' ; ELSE : 'else' ; IF : 'if' ;
EXCEPTION : 'exception' ; TO : 'to' ; CITE : 'cite' ; OF : 'of' ;
OBLIGATION : 'obligation' ; SUBJECT : 'subject' ; MUST : 'must' ; MAY : 'may' ;
DEADLINE : 'deadline' ; AFTER : 'after' ; VIOLATED : 'violated' ;
TEST : 'test' ; AS_OF : 'as_of' ; AS : 'as' ; GIVEN : 'given' ; SET : 'set' ; EXPECT : 'expect' ;
NO : 'no' ; ERROR : 'error' ; LIST : 'list' ;
BOOL_T : 'bool' ; INT_T : 'int' ; DECIMAL_T : 'decimal' ; TEXT_T : 'text' ; DATE_T : 'date' ;
DURATION_T : 'duration' ;
AND : 'and' ; OR : 'or' ; NOT : 'not' ; IN : 'in' ; IS : 'is' ; PRESENT : 'present' ;
MATCH : 'match' ; TRUE : 'true' ; FALSE : 'false' ; NONE : 'none' ;
DAY : 'day' ; DAYS : 'days' ; WEEK : 'week' ; WEEKS : 'weeks' ; MONTH : 'month' ;
MONTHS : 'months' ; YEAR : 'year' ; YEARS : 'years' ;

LBRACE : '{' ; RBRACE : '}' ; LPAREN : '(' ; RPAREN : ')' ; LBRACKET : '[' ; RBRACKET : ']' ;
COMMA : ',' ; COLON : ':' ; DOTDOT : '..' ; DOT : '.' ; FATARROW : '=>' ; ARROW : '->' ;
EQ : '==' ; NE : '!=' ; LE : '<=' ; GE : '>=' ; LT : '<' ; GT : '>' ; ASSIGN : '=' ;
PLUS : '+' ; MINUS : '-' ; STAR : '*' ; SLASH : '/' ; QQ : '??' ; QUESTION : '?' ;
PIPE : '|' ; UNDERSCORE : '_' ;

DATE    : [0-9][0-9][0-9][0-9] '-' [0-9][0-9] '-' [0-9][0-9] ;
DECIMAL : [0-9]+ '.' [0-9]+ ;
INT     : [0-9]+ ;
ID      : [a-zA-Z_][a-zA-Z0-9_]* ;
STRING  : '"' ( ~["\\\r\n] | '\\' ["\\nt] )* '"' ;

// `///` comments are documentation: they carry the text of the law beside the declaration
// that follows them (kept on their own channel, read by the parser, shown by `explain`).
DOC_COMMENT : '///' ~[\r\n]* -> channel(2) ;
LINE_COMMENT: '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT: '/*' .*? '*/' -> skip ;
WS      : [ \t\r\n]+ -> skip ;
// Anything else is one bad character: the parser reports it with its position.
BAD_CHAR : . ;
