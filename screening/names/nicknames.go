package names

import "strings"

// givenNameGroups are given names that stand for the same name across
// languages or as a common short form (John / Juan / Ivan / Hans, William /
// Bill, Theodore / Ted, Yusuf / Joseph). A name may sit in more than one
// group (Ted is Theodore or Edward). Two tokens of one group pair with
// similarity 0.9: the lists write such names either way, and a requester
// gives the short form.
const givenNameGroups = `
john jon johnny jack juan johann johannes jean jan hans ivan ioan ion giovanni sean shaun evan
theodore ted teddy theo fyodor fedor todor
edward ed eddie ted eduard eduardo edouard
william bill billy will willy wilhelm guillaume guillermo
robert bob bobby rob robbie roberto
richard rick ricky dick ricardo riccardo
james jim jimmy jamie jaime giacomo
jacob jakob jakub yakov yaakov yaqub yakub jacques
michael mike mikhail michel miguel michele mikael mykhailo mikhael
alexander alex sasha aleksandr alexandr alexandre alessandro alejandro oleksandr aliaksandr aleksander iskander
nicholas nick nikolai nikolay nicolas nicola mykola nikolaus
peter pete pyotr petr pierre pedro pietro petro
paul pavel pablo paolo pavlo
joseph joe jose giuseppe iosif josef yosef yusuf yousef youssef
benjamin ben benny binyamin veniamin
thomas tom tommy tomas
anthony tony antonio anton antoine
andrew andy andrei andrey andreas andre andres andriy
george georgy georgi georgiy jorge giorgio georg yuri yury yuriy
stephen steven steve stepan stefan esteban stefano etienne
daniel dan danny daniil danila
david dave davit dawood dawud daud
eugene yevgeny evgeny evgeniy yevgeniy
dmitry dmitri dmitriy dima
vladimir volodymyr wladimir vova volodya
catherine katherine kate katya ekaterina yekaterina caterina katarina
elizabeth liz beth elisabeth elizaveta
margaret maggie peggy marguerite margarita
abraham ibrahim ebrahim avraham
ishmael ismail ismael
moses musa moshe
solomon sulaiman suleiman suleyman shlomo
mohammed muhammad mohamed mohammad muhammed mehmet mohd md
`

var givenNameGroup, givenNameMembers = func() (map[string][]int, [][]string) {
	m := map[string][]int{}
	var members [][]string
	for g, line := range strings.Split(strings.TrimSpace(givenNameGroups), "\n") {
		ns := strings.Fields(line)
		members = append(members, ns)
		for _, n := range ns {
			m[n] = append(m[n], g)
		}
	}
	return m, members
}()

// sameGivenName reports two spellings listed in one group.
func sameGivenName(a, b string) bool {
	for _, ga := range givenNameGroup[a] {
		for _, gb := range givenNameGroup[b] {
			if ga == gb {
				return true
			}
		}
	}
	return false
}
